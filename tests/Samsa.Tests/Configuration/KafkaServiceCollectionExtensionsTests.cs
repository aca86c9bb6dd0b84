using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Samsa.Configuration;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Configuration;

public class KafkaServiceCollectionExtensionsTests
{
    [Fact]
    public void AddSamsaKafkaOptions_SeedEnvironment_OptionsBoundAndValid()
    {
        using var provider = Services("Production", Env(SeedEnvironment)).BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<KafkaOptions>>().Value;

        Assert.Equal(["your-kafka-broker:9092"], options.BootstrapServers);
        Assert.Equal(KafkaProfile.Production, options.Profile);
        Assert.Equal("svc", options.ClientId);
    }

    [Fact]
    public void AddSamsaKafkaOptions_BadConfiguration_StartupValidationListsEveryProblem()
    {
        using var provider = Services(
            "Production",
            Env(("KAFKA_BOOTSTRAP_SERVERS", "[\"broker\"]"), ("KAFKA_PRODUCER_BATCH_SIZ", "1"), ("KAFKA_HOME", "/opt/kafka")),
            ("Kafka:Producer:batch_size", "32768")).BuildServiceProvider();

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var failures = exception.Failures.ToList();
        Assert.Contains(failures, f => f.Contains("did you mean `BatchSize` (`batch.size`)?", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("did you mean `KAFKA_PRODUCER_BATCH_SIZE`", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("entry `broker` has no port", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("KAFKA_SASL_USERNAME", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("KAFKA_HOME", StringComparison.Ordinal));
    }

    [Fact]
    public void AddSamsaKafkaOptions_Delegate_AppliedAfterEnvironment()
    {
        using var provider = Services(
            "Development",
            Env(("KAFKA_BOOTSTRAP_SERVERS", "a:9092"), ("KAFKA_PRODUCER_ACKS", "1")),
            configure: o => o.Producer.Acks = Acks.All).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<KafkaOptions>>().Value;

        Assert.Equal(Acks.All, options.Producer.Acks);
        Assert.Equal(KafkaProfile.Development, options.Profile);
    }

    private static ServiceCollection Services(
        string environmentName, IEnvironmentVariableSource environment, params (string Key, string? Value)[] configuration) =>
        Services(environmentName, environment, null, configuration);

    private static ServiceCollection Services(
        string environmentName, IEnvironmentVariableSource environment, Action<KafkaOptions>? configure, params (string Key, string? Value)[] configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environmentName, ApplicationName = "svc" });
        services.AddSingleton(environment);
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        services.AddSamsaKafkaOptions(Config(configuration), configure);
        return services;
    }
}

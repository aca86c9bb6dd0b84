using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.DependencyInjection;
using Samsa.Health;
using Samsa.Provisioning;
using Samsa.Startup;

namespace Samsa.Tests.DependencyInjection;

public class SamsaKafkaServiceCollectionExtensionsTests
{
    [Fact]
    public void AddSamsaKafka_Services_RegistersSingletons()
    {
        var services = Services();

        services.AddSamsaKafka(Configuration());

        Assert.Equal(ServiceLifetime.Singleton, Lifetime<IKafkaAdminClientFactory>(services));
        Assert.Equal(ServiceLifetime.Singleton, Lifetime<KafkaReadinessGate>(services));
        Assert.Equal(ServiceLifetime.Singleton, Lifetime<TopicProvisioner>(services));
        Assert.Equal(ServiceLifetime.Singleton, Lifetime<KafkaHealthCheck>(services));
        Assert.Equal(ServiceLifetime.Singleton, Lifetime<HealthRefreshService>(services));
    }

    [Fact]
    public void AddSamsaKafka_AfterOtherHostedServices_GateIsTheFirstHostedService()
    {
        var services = Services();
        services.AddHostedService<NoopService>();

        services.AddSamsaKafka(Configuration());
        using var provider = services.BuildServiceProvider();

        Assert.IsType<KafkaReadinessGate>(provider.GetServices<IHostedService>().First());
        Assert.Same(provider.GetRequiredService<KafkaReadinessGate>(), provider.GetServices<IHostedService>().First());
    }

    [Fact]
    public void AddSamsaKafka_Default_RefreshesHealthEvery30Seconds()
    {
        var services = Services();

        services.AddSamsaKafka(Configuration());
        using var provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<SamsaKafkaSettings>>().Value.HealthCheckInterval);
        Assert.Contains(provider.GetServices<IHostedService>(), service => service is HealthRefreshService);
    }

    [Fact]
    public void AddSamsaKafka_DisableHealthChecksInConfiguration_NoCheckNoPublisher()
    {
        var services = Services();

        var builder = services.AddSamsaKafka(Configuration(("Kafka:Hosting:DisableHealthChecks", "true")));
        using var provider = services.BuildServiceProvider();

        Assert.True(builder.Settings.DisableHealthChecks);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(HealthRefreshService));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(KafkaHealthCheck));
        Assert.Empty(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
    }

    [Fact]
    public void AddSamsaKafka_CalledTwice_ThrowsSayingToUseTheBuilder()
    {
        var services = Services();
        services.AddSamsaKafka(Configuration());

        var error = Assert.Throws<InvalidOperationException>(() => services.AddSamsaKafka(Configuration()));

        Assert.Contains("AddSamsaKafka has already been called", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddSamsaKafka_HostBuilder_BindsSectionAndHostingSettings()
    {
        var builder = SamsaTestHost.Builder(
            "Development",
            ("Kafka:BootstrapServers", "a:9092,b:9092"),
            ("Kafka:Hosting:StartupTimeout", "00:00:45"),
            ("Kafka:Hosting:BrokerConnectTimeout", "00:00:02"));

        builder.AddSamsaKafka(o => o.ClientId = "from-code");
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        var settings = host.Services.GetRequiredService<IOptions<SamsaKafkaSettings>>().Value;
        Assert.Equal(["a:9092", "b:9092"], options.BootstrapServers);
        Assert.Equal("from-code", options.ClientId);
        Assert.Equal(TimeSpan.FromSeconds(45), settings.StartupTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.BrokerConnectTimeout);
        Assert.Equal("a:9092,b:9092", host.Services.GetRequiredService<IKafkaAdminClientFactory>().Config.BootstrapServers);
    }

    [Fact]
    public void AddSamsaKafka_InvalidConfiguration_NotReadAtRegistrationOrBuild()
    {
        var builder = SamsaTestHost.Builder("Production", ("Kafka:BootstrapServers", "no-port"));

        builder.AddSamsaKafka();
        using var host = builder.Build();

        Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IKafkaAdminClientFactory>().Config);
    }

    [Fact]
    public async Task AddSamsaKafka_BadHostingSettings_StartFailsListingEveryProblem()
    {
        var builder = SamsaTestHost.Builder(
            "Development",
            ("Kafka:BootstrapServers", "localhost:9092"),
            ("Kafka:Hosting:StartupTimeout", "30"),
            ("Kafka:Hosting:DisableHealthCheck", "true"),
            ("Kafka:Hosting:BrokerConnectTimeout", "00:01:00"));
        builder.AddSamsaKafka();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("`Kafka:Hosting:StartupTimeout`=`30` cannot be read; expected a time span such as 00:00:30.", error.Failures);
        Assert.Contains(error.Failures, f => f.Contains("`Kafka:Hosting:DisableHealthCheck` is not a hosting setting", StringComparison.Ordinal)
            && f.EndsWith("did you mean `DisableHealthChecks`?", StringComparison.Ordinal));
        Assert.Contains("`Kafka:Hosting:BrokerConnectTimeout` is 00:01:00, longer than `Kafka:Hosting:StartupTimeout`, 00:00:30: one broker could use up the whole start-up. Make it shorter than the start-up timeout.", error.Failures);
    }

    [Fact]
    public void AddTopic_AlsoInConfiguration_CodeRunsAfterSection()
    {
        var builder = SamsaTestHost.Builder(
            "Development",
            ("Kafka:BootstrapServers", "localhost:9092"),
            ("Kafka:Topics:orders:Partitions", "24"),
            ("Kafka:Topics:orders:RetentionMs", "1000"));

        builder.AddSamsaKafka()
            .AddTopic("orders", t => t.Partitions = 12)
            .AddTopic("payments")
            .ConfigureProvisioning(p => p.DriftPolicy = TopicDriftPolicy.Warn);
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        Assert.Equal(12, options.Topics["orders"].Partitions);
        Assert.Equal(1000, options.Topics["orders"].RetentionMs);
        Assert.True(options.Topics.ContainsKey("payments"));
        Assert.Equal(TopicDriftPolicy.Warn, options.Provisioning.DriftPolicy);
    }

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IEnvironmentVariableSource>(new DictionaryEnvironmentVariableSource(new Dictionary<string, string>()));
        return services;
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] entries) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("Kafka:BootstrapServers", "localhost:9092"), .. entries.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))])
            .Build();

    private static ServiceLifetime Lifetime<T>(IServiceCollection services) => services.Single(d => d.ServiceType == typeof(T)).Lifetime;

    private sealed class NoopService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

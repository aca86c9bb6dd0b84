using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Samsa.Configuration;
using Samsa.DependencyInjection;

namespace Samsa.Tests.DependencyInjection;

/// <summary>
/// Hosts with <c>AddSamsaKafka</c> for tests: the Development environment, in-memory configuration, no process
/// environment variables (tests run in parallel), and logs captured by a <see cref="FakeLogCollector"/>.
/// </summary>
internal static class SamsaTestHost
{
    /// <summary>A builder with the test defaults; <paramref name="configuration"/> entries are keys such as <c>Kafka:BootstrapServers</c>.</summary>
    public static HostApplicationBuilder Builder(string environmentName = "Development", params (string Key, string? Value)[] configuration)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = environmentName,
            ApplicationName = "samsa-tests",
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(configuration.Select(entry => new KeyValuePair<string, string?>(entry.Key, entry.Value)));
        builder.Services.AddSingleton<IEnvironmentVariableSource>(new DictionaryEnvironmentVariableSource(new Dictionary<string, string>()));
        builder.Services.AddFakeLogging();
        return builder;
    }

    /// <summary>A host against <paramref name="bootstrapServers"/> with short time limits, features added by <paramref name="features"/>.</summary>
    public static IHost Build(
        string bootstrapServers,
        Action<SamsaKafkaBuilder>? features = null,
        Action<SamsaKafkaSettings>? settings = null,
        Action<KafkaOptions>? configure = null,
        params (string Key, string? Value)[] configuration)
    {
        var builder = Builder("Development", [("Kafka:BootstrapServers", bootstrapServers), .. configuration]);
        var samsa = builder.AddSamsaKafka(configure, s =>
        {
            s.StartupTimeout = TimeSpan.FromSeconds(15);
            s.BrokerConnectTimeout = TimeSpan.FromSeconds(3);
            s.HealthCheckTimeout = TimeSpan.FromSeconds(3);
            settings?.Invoke(s);
        });
        features?.Invoke(samsa);
        return builder.Build();
    }

    /// <summary>Every message logged so far.</summary>
    public static IReadOnlyList<FakeLogRecord> Logs(this IHost host) => host.Services.GetFakeLogCollector().GetSnapshot();
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Samsa.Configuration;
using Samsa.Native;

namespace Samsa.Tests.Configuration;

/// <summary>Builds configuration, environments and validators for the configuration tests, without touching the process environment.</summary>
internal static class KafkaTestSupport
{
    /// <summary>A fixed "now" for certificate checks.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The seed's production variables, exactly as written there.</summary>
    public static readonly IReadOnlyDictionary<string, string> SeedEnvironment = new Dictionary<string, string>
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = "[\"your-kafka-broker:9092\"]",
        ["KAFKA_SECURITY_PROTOCOL"] = "SASL_SSL",
        ["KAFKA_SASL_MECHANISM"] = "SCRAM-SHA-512",
        ["KAFKA_SASL_USERNAME"] = "your-username",
        ["KAFKA_SASL_PASSWORD"] = "your-password",
    };

    public static IConfiguration Config(params (string Key, string? Value)[] entries) =>
        new ConfigurationBuilder().AddInMemoryCollection(entries.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value))).Build();

    public static IEnvironmentVariableSource Env(params (string Name, string Value)[] variables) =>
        new DictionaryEnvironmentVariableSource(variables.ToDictionary(v => v.Name, v => v.Value));

    public static IEnvironmentVariableSource Env(IReadOnlyDictionary<string, string> variables, params (string Name, string Value)[] more)
    {
        var all = new Dictionary<string, string>(variables);
        foreach (var (name, value) in more)
        {
            all[name] = value;
        }

        return new DictionaryEnvironmentVariableSource(all);
    }

    /// <summary>Options as the registration builds them.</summary>
    public static KafkaOptions Load(
        IConfiguration? configuration = null,
        IEnvironmentVariableSource? environment = null,
        Action<KafkaOptions>? configure = null,
        string environmentName = "Production") =>
        KafkaConfigurationBinder.Load(configuration, environment, configure, environmentName, "test-service");

    /// <summary>Valid development options: a local broker, PLAINTEXT.</summary>
    public static KafkaOptions Development(Action<KafkaOptions>? configure = null) =>
        Load(Config(("Kafka:BootstrapServers", "localhost:9092")), configure: configure, environmentName: "Development");

    /// <summary>Valid production options: the seed's variables.</summary>
    public static KafkaOptions Production(Action<KafkaOptions>? configure = null) =>
        Load(environment: new DictionaryEnvironmentVariableSource(SeedEnvironment), configure: configure);

    public static KafkaOptionsValidator Validator(DateTimeOffset? now = null) =>
        new(new FakeTimeProvider(now ?? Now), null, () => LibrdkafkaPropertyCatalog.Shared);

    public static IReadOnlyList<KafkaConfigurationIssue> Errors(KafkaOptions options, DateTimeOffset? now = null) =>
        Validator(now).Check(options).Where(i => i.Severity == KafkaConfigurationSeverity.Error).ToList();

    public static IReadOnlyList<KafkaConfigurationIssue> Warnings(KafkaOptions options, DateTimeOffset? now = null) =>
        Validator(now).Check(options).Where(i => i.Severity == KafkaConfigurationSeverity.Warning).ToList();

    public static string Describe(IEnumerable<KafkaConfigurationIssue> issues) => string.Join("\n", issues);
}

using System.Text;
using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>
/// Prints effective client configurations with every secret replaced by <see cref="Mask"/>: passwords,
/// key passwords, <c>sasl.password</c>, <c>ssl.key.password</c>, <c>ssl.key.pem</c>, private keys, and any
/// property whose name contains "password", "secret" or "passphrase".
/// </summary>
internal static class KafkaConfigurationPrinter
{
    /// <summary>What a secret value is printed as.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretWords = ["PASSWORD", "SECRET", "PASSPHRASE"];

    private static readonly HashSet<string> SecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "ssl.key.pem", "ssl_key", "sasl.oauthbearer.config", "sasl.jaas.config",
    };

    /// <summary>True when the value of <paramref name="name"/> must not be printed.</summary>
    public static bool IsSecret(string name)
    {
        if (SecretNames.Contains(name) || name.EndsWith("key.pem", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var normalized = name.ToUpperInvariant();
        return SecretWords.Any(word => normalized.Contains(word, StringComparison.Ordinal));
    }

    /// <summary>The value, or <see cref="Mask"/> when the property is secret and set.</summary>
    public static string Redact(string name, string? value) =>
        IsSecret(name) && !string.IsNullOrEmpty(value) ? Mask : value ?? string.Empty;

    /// <summary>The configuration as sorted <c>name = value</c> lines, secrets masked.</summary>
    public static string Format(IEnumerable<KeyValuePair<string, string>> configuration)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in configuration.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            builder.Append(name).Append(" = ").Append(Redact(name, value)).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>The effective producer, consumer and admin configurations of <paramref name="options"/>, secrets masked.</summary>
    public static string Format(KafkaOptions options)
    {
        var builder = new StringBuilder();
        Section(builder, "producer", KafkaClientConfigFactory.CreateProducerConfig(options));
        Section(builder, "consumer", KafkaClientConfigFactory.CreateConsumerConfig(options));
        Section(builder, "admin", KafkaClientConfigFactory.CreateAdminClientConfig(options));
        return builder.ToString();
    }

    private static void Section(StringBuilder builder, string title, ClientConfig config)
    {
        builder.Append('[').Append(title).Append("]\n").Append(Format(config));
    }
}

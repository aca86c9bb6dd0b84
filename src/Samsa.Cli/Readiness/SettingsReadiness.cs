using Confluent.Kafka;
using Samsa.Configuration;

namespace Samsa.Cli.Readiness;

/// <summary>
/// Checks of the client settings alone (the <c>KAFKA_*</c> variables as the service would bind them): every
/// validation problem, then the production choices the seed names. Nothing here connects.
/// </summary>
internal static class SettingsReadiness
{
    private const string Area = "settings";

    /// <param name="issues">The validation problems of the settings as the service binds them.</param>
    /// <param name="clusterOptions">The settings with plain text allowed, used to read the effective producer config.</param>
    /// <param name="clusterIssues">Their validation problems; with errors, the effective config cannot be trusted and is not read.</param>
    public static List<ReadinessFinding> Check(IReadOnlyList<KafkaConfigurationIssue> issues, KafkaOptions clusterOptions, IReadOnlyList<KafkaConfigurationIssue> clusterIssues)
    {
        var findings = issues
            .Select(issue => issue.Severity == KafkaConfigurationSeverity.Error
                ? ReadinessFinding.Fail(Area, issue.Setting, issue.Message)
                : ReadinessFinding.Warn(Area, issue.Setting, issue.Message))
            .ToList();
        if (clusterIssues.Any(issue => issue.Severity == KafkaConfigurationSeverity.Error))
        {
            return findings;
        }

        var producer = KafkaClientConfigFactory.CreateProducerConfig(clusterOptions).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

        // The validator already failed plain text in Production; one row says it.
        if (!findings.Any(f => f.Status == ReadinessStatus.Fail && f.Check == "Kafka:SecurityProtocol"))
        {
            findings.Add(SecurityProtocol(producer));
        }

        findings.Add(SaslMechanism(producer));
        findings.Add(Acks(producer));
        findings.Add(Idempotence(producer));
        findings.Add(Compression(producer));
        findings.Add(BatchSize(producer));
        return findings;
    }

    private static string? Value(Dictionary<string, string> config, string name) => config.TryGetValue(name, out var value) ? value : null;

    private static ReadinessFinding SecurityProtocol(Dictionary<string, string> config)
    {
        var protocol = Value(config, "security.protocol") ?? "plaintext";
        return protocol.ToUpperInvariant() switch
        {
            "SASL_SSL" => ReadinessFinding.Pass(Area, "security.protocol", "SASL_SSL: encrypted and authenticated"),
            "SSL" => ReadinessFinding.Warn(Area, "security.protocol", "SSL: encrypted, authenticated only by client certificate; production uses SASL_SSL (KAFKA_SECURITY_PROTOCOL=SASL_SSL)"),
            _ => ReadinessFinding.Fail(Area, "security.protocol", $"{protocol.ToUpperInvariant()}: traffic is not encrypted; set KAFKA_SECURITY_PROTOCOL=SASL_SSL"),
        };
    }

    private static ReadinessFinding SaslMechanism(Dictionary<string, string> config)
    {
        var protocol = (Value(config, "security.protocol") ?? "plaintext").ToUpperInvariant();
        if (!protocol.StartsWith("SASL", StringComparison.Ordinal))
        {
            return ReadinessFinding.Skipped(Area, "sasl.mechanism", "no SASL with " + protocol);
        }

        var mechanism = (Value(config, "sasl.mechanism") ?? Value(config, "sasl.mechanisms") ?? "GSSAPI").ToUpperInvariant();
        return mechanism switch
        {
            "SCRAM-SHA-512" => ReadinessFinding.Pass(Area, "sasl.mechanism", "SCRAM-SHA-512"),
            "SCRAM-SHA-256" => ReadinessFinding.Warn(Area, "sasl.mechanism", "SCRAM-SHA-256; production uses SCRAM-SHA-512 (KAFKA_SASL_MECHANISM=SCRAM-SHA-512)"),
            "PLAIN" => ReadinessFinding.Warn(Area, "sasl.mechanism", "PLAIN sends the password itself to the broker; production uses SCRAM-SHA-512 (KAFKA_SASL_MECHANISM=SCRAM-SHA-512)"),
            _ => ReadinessFinding.Warn(Area, "sasl.mechanism", mechanism + "; production uses SCRAM-SHA-512"),
        };
    }

    private static ReadinessFinding Acks(Dictionary<string, string> config)
    {
        var acks = Value(config, "acks") ?? "all";
        return acks is "all" or "-1"
            ? ReadinessFinding.Pass(Area, "acks", "all: a write is acknowledged once min.insync.replicas have it")
            : ReadinessFinding.Fail(Area, "acks", $"{acks}: an acknowledged write can be lost when a broker fails; use acks=all");
    }

    private static ReadinessFinding Idempotence(Dictionary<string, string> config) =>
        string.Equals(Value(config, "enable.idempotence"), "true", StringComparison.OrdinalIgnoreCase)
            ? ReadinessFinding.Pass(Area, "enable.idempotence", "true: retries do not duplicate or reorder records")
            : ReadinessFinding.Fail(Area, "enable.idempotence", "false: a retried send can be written twice or out of order; enable idempotence");

    private static ReadinessFinding Compression(Dictionary<string, string> config)
    {
        var codec = Value(config, "compression.type") ?? Value(config, "compression.codec") ?? "none";
        return codec is "none"
            ? ReadinessFinding.Warn(Area, "compression.type", "none: batches travel and are stored uncompressed; production uses snappy")
            : ReadinessFinding.Pass(Area, "compression.type", codec);
    }

    private static ReadinessFinding BatchSize(Dictionary<string, string> config)
    {
        var value = Value(config, "batch.size");
        if (!int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var bytes))
        {
            return ReadinessFinding.Warn(Area, "batch.size", "not set: librdkafka's default is 1 MB per partition batch; production uses 32 KiB");
        }

        return bytes >= ProductionRequirements.MinBatchSizeBytes
            ? ReadinessFinding.Pass(Area, "batch.size", $"{bytes} bytes")
            : ReadinessFinding.Warn(Area, "batch.size", $"{bytes} bytes: small batches cost throughput; production uses {ProductionRequirements.MinBatchSizeBytes}");
    }
}

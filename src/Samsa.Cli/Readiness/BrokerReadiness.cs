using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Samsa.Cli.Readiness;

/// <summary>How many brokers there are, and the broker settings that decide durability for everything else.</summary>
internal static class BrokerReadiness
{
    private const string Area = "brokers";

    public static async Task<List<ReadinessFinding>> CheckAsync(IAdminClient admin, TimeSpan timeout)
    {
        var findings = new List<ReadinessFinding>();
        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = timeout }).ConfigureAwait(false);
        var ids = string.Join(", ", cluster.Nodes.Select(n => n.Id).Order());
        findings.Add(cluster.Nodes.Count >= ProductionRequirements.MinBrokers
            ? ReadinessFinding.Pass(Area, "broker count", $"{cluster.Nodes.Count} brokers (ids {ids})")
            : ReadinessFinding.Fail(Area, "broker count", $"{cluster.Nodes.Count} broker{(cluster.Nodes.Count == 1 ? string.Empty : "s")} (ids {ids}): replication factor {ProductionRequirements.MinReplicationFactor} needs at least {ProductionRequirements.MinBrokers}"));

        // librdkafka sends a broker's configs request to that broker, one broker resource per call.
        var byBroker = new Dictionary<string, Dictionary<string, ConfigEntryResult>>(StringComparer.Ordinal);
        foreach (var node in cluster.Nodes)
        {
            var resource = new ConfigResource { Type = ResourceType.Broker, Name = node.Id.ToString(CultureInfo.InvariantCulture) };
            var configs = await admin.DescribeConfigsAsync([resource], new DescribeConfigsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
            byBroker[resource.Name] = configs.Single().Entries;
        }

        findings.Add(AtLeast(byBroker, "default.replication.factor", ProductionRequirements.MinReplicationFactor, ReadinessStatus.Warn, "topics created without a replication factor get this many replicas"));
        findings.Add(AtLeast(byBroker, "min.insync.replicas", ProductionRequirements.MinInsyncReplicas, ReadinessStatus.Warn, "the default for topics that do not set their own"));
        findings.Add(AtLeast(byBroker, "offsets.topic.replication.factor", ProductionRequirements.MinReplicationFactor, ReadinessStatus.Fail, "consumer group offsets are lost with one broker"));
        findings.Add(AtLeast(byBroker, "transaction.state.log.replication.factor", ProductionRequirements.MinReplicationFactor, ReadinessStatus.Fail, "exactly-once transactions stall when one broker is down"));
        findings.Add(Expect(byBroker, "unclean.leader.election.enable", "false", ReadinessStatus.Fail, "an out-of-sync replica may become leader and acknowledged records are lost"));
        findings.Add(Expect(byBroker, "auto.create.topics.enable", "false", ReadinessStatus.Warn, "a misspelt topic name silently creates a topic with default settings"));
        return findings;
    }

    private static ReadinessFinding AtLeast(Dictionary<string, Dictionary<string, ConfigEntryResult>> byBroker, string name, int minimum, ReadinessStatus below, string why)
    {
        var values = Values(byBroker, name);
        if (values.Count == 0)
        {
            return ReadinessFinding.Warn(Area, name, "not reported by the brokers; check it in their server.properties");
        }

        var low = values.Where(v => !int.TryParse(v.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < minimum).ToList();
        return low.Count == 0
            ? ReadinessFinding.Pass(Area, name, Describe(values))
            : new ReadinessFinding(Area, name, below, $"{Describe(low)}: below {minimum}; {why}");
    }

    private static ReadinessFinding Expect(Dictionary<string, Dictionary<string, ConfigEntryResult>> byBroker, string name, string expected, ReadinessStatus otherwise, string why)
    {
        var values = Values(byBroker, name);
        if (values.Count == 0)
        {
            return ReadinessFinding.Warn(Area, name, "not reported by the brokers; check it in their server.properties");
        }

        var wrong = values.Where(v => !string.Equals(v.Value, expected, StringComparison.OrdinalIgnoreCase)).ToList();
        return wrong.Count == 0
            ? ReadinessFinding.Pass(Area, name, Describe(values))
            : new ReadinessFinding(Area, name, otherwise, $"{Describe(wrong)}: {why}; set {name}={expected}");
    }

    private static List<(string Broker, string? Value)> Values(Dictionary<string, Dictionary<string, ConfigEntryResult>> byBroker, string name) =>
        byBroker
            .Where(b => b.Value.ContainsKey(name))
            .Select(b => (Broker: b.Key, Value: (string?)b.Value[name].Value))
            .OrderBy(b => b.Broker, StringComparer.Ordinal)
            .ToList();

    /// <summary>"3" when every broker agrees, else "broker 0: 1, broker 1: 3".</summary>
    private static string Describe(List<(string Broker, string? Value)> values) =>
        values.Select(v => v.Value).Distinct(StringComparer.Ordinal).Count() == 1
            ? values[0].Value ?? "(null)"
            : string.Join(", ", values.Select(v => $"broker {v.Broker}: {v.Value ?? "(null)"}"));
}

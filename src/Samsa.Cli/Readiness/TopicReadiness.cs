using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Consuming.Retry;

namespace Samsa.Cli.Readiness;

/// <summary>
/// Each topic against the production layout: partitions, replicas, min.insync.replicas, every partition led and in
/// sync; dead-letter topics kept long enough to replay; the internal topics replicated.
/// </summary>
internal static class TopicReadiness
{
    /// <summary>Kafka's names of the topic configs the checks read.</summary>
    private static class TopicConfig
    {
        public const string MinInsyncReplicas = "min.insync.replicas";
        public const string RetentionMs = "retention.ms";
        public const string CleanupPolicy = "cleanup.policy";
    }

    private static readonly string[] InternalTopics = ["__consumer_offsets", "__transaction_state"];

    /// <param name="admin">A connected admin client.</param>
    /// <param name="requested">The topics to check; empty checks every topic that is not internal.</param>
    /// <param name="timeout">The bound of each request.</param>
    public static async Task<List<ReadinessFinding>> CheckAsync(IAdminClient admin, IReadOnlyList<string> requested, TimeSpan timeout)
    {
        var findings = new List<ReadinessFinding>();
        var metadata = admin.GetMetadata(timeout);
        var byName = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).ToDictionary(t => t.Topic, StringComparer.Ordinal);

        foreach (var name in InternalTopics.Where(byName.ContainsKey))
        {
            var replicas = byName[name].Partitions.Min(p => p.Replicas.Length);
            findings.Add(replicas >= ProductionRequirements.MinReplicationFactor
                ? ReadinessFinding.Pass(name, "replication factor", replicas.ToString(CultureInfo.InvariantCulture))
                : ReadinessFinding.Fail(name, "replication factor", $"{replicas}: below {ProductionRequirements.MinReplicationFactor}; it was created while fewer brokers were up, and Kafka does not raise it by itself (kafka-reassign-partitions)"));
        }

        var names = requested.Count > 0
            ? requested.Distinct(StringComparer.Ordinal).ToList()
            : byName.Keys.Where(n => !n.StartsWith("__", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            findings.Add(ReadinessFinding.Warn("topics", "topics", "the cluster has no topics yet; name the service's topics with --topic, or run the check after the service has provisioned them"));
            return findings;
        }

        var existing = names.Where(byName.ContainsKey).ToList();
        foreach (var missing in names.Except(existing, StringComparer.Ordinal))
        {
            findings.Add(ReadinessFinding.Fail(missing, "exists", "no such topic; the service declares it, so it must be created (or provisioned by the service at start)"));
        }

        var configs = existing.Count == 0
            ? []
            : (await admin.DescribeConfigsAsync(
                existing.Select(n => new ConfigResource { Type = ResourceType.Topic, Name = n }),
                new DescribeConfigsOptions { RequestTimeout = timeout }).ConfigureAwait(false))
                .ToDictionary(c => c.ConfigResource.Name, c => c.Entries, StringComparer.Ordinal);

        foreach (var name in existing)
        {
            var entries = configs.GetValueOrDefault(name) ?? [];
            findings.AddRange(CheckTopic(byName[name], entries));
        }

        return findings;
    }

    private static IEnumerable<ReadinessFinding> CheckTopic(TopicMetadata topic, Dictionary<string, ConfigEntryResult> configs)
    {
        var name = topic.Topic;
        var partitions = topic.Partitions.Count;
        var compacted = configs.TryGetValue(TopicConfig.CleanupPolicy, out var policy) && policy.Value?.Contains("compact", StringComparison.Ordinal) == true;
        yield return partitions is >= ProductionRequirements.MinPartitions and <= ProductionRequirements.MaxPartitions
            ? ReadinessFinding.Pass(name, "partitions", partitions.ToString(CultureInfo.InvariantCulture))
            : ReadinessFinding.Warn(name, "partitions", $"{partitions}: production topics have {ProductionRequirements.MinPartitions}-{ProductionRequirements.MaxPartitions}; " +
                (partitions < ProductionRequirements.MinPartitions ? "fewer limits how many consumers share the work" : "more costs broker memory and rebalance time"));

        var replicas = topic.Partitions.Min(p => p.Replicas.Length);
        yield return replicas >= ProductionRequirements.MinReplicationFactor
            ? ReadinessFinding.Pass(name, "replication factor", replicas.ToString(CultureInfo.InvariantCulture))
            : ReadinessFinding.Fail(name, "replication factor", $"{replicas}: below {ProductionRequirements.MinReplicationFactor}; losing {replicas} broker{(replicas == 1 ? string.Empty : "s")} loses data");

        yield return MinInsync(name, configs, replicas);

        var offline = topic.Partitions.Where(p => p.Leader < 0).Select(p => p.PartitionId).ToList();
        var underReplicated = topic.Partitions.Where(p => p.Leader >= 0 && p.InSyncReplicas.Length < p.Replicas.Length).Select(p => p.PartitionId).ToList();
        if (offline.Count > 0)
        {
            yield return ReadinessFinding.Fail(name, "in sync", $"partitions without a leader: {List(offline)}");
        }
        else if (underReplicated.Count > 0)
        {
            yield return ReadinessFinding.Fail(name, "in sync", $"under-replicated partitions: {List(underReplicated)}");
        }
        else
        {
            yield return ReadinessFinding.Pass(name, "in sync", "every partition has a leader and all its replicas in sync");
        }

        if (name.EndsWith(RetryTopicNames.DeadLetterSuffix, StringComparison.Ordinal) && !compacted)
        {
            yield return DeadLetterRetention(name, configs);
        }
    }

    private static ReadinessFinding MinInsync(string name, Dictionary<string, ConfigEntryResult> configs, int replicas)
    {
        if (!configs.TryGetValue(TopicConfig.MinInsyncReplicas, out var entry)
            || !int.TryParse(entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var minInsync))
        {
            return ReadinessFinding.Warn(name, TopicConfig.MinInsyncReplicas, "not reported by the broker");
        }

        if (minInsync < ProductionRequirements.MinInsyncReplicas)
        {
            return ReadinessFinding.Fail(name, TopicConfig.MinInsyncReplicas, $"{minInsync}: an acks=all write is acknowledged by one replica and lost with it; set {ProductionRequirements.MinInsyncReplicas}");
        }

        return minInsync >= replicas
            ? ReadinessFinding.Warn(name, TopicConfig.MinInsyncReplicas, $"{minInsync} of {replicas} replicas: one broker down stops every acks=all write; keep it below the replication factor")
            : ReadinessFinding.Pass(name, TopicConfig.MinInsyncReplicas, $"{minInsync} of {replicas} replicas");
    }

    private static ReadinessFinding DeadLetterRetention(string name, Dictionary<string, ConfigEntryResult> configs)
    {
        if (!configs.TryGetValue(TopicConfig.RetentionMs, out var entry)
            || !long.TryParse(entry.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var retentionMs))
        {
            return ReadinessFinding.Warn(name, TopicConfig.RetentionMs, "not reported by the broker");
        }

        if (retentionMs < 0)
        {
            return ReadinessFinding.Pass(name, TopicConfig.RetentionMs, "dead letters are kept until replayed or deleted");
        }

        var retention = TimeSpan.FromMilliseconds(retentionMs);
        return retention >= ProductionRequirements.MinDeadLetterRetention
            ? ReadinessFinding.Pass(name, TopicConfig.RetentionMs, $"dead letters are kept {retention.TotalDays:0.#} days")
            : ReadinessFinding.Warn(name, TopicConfig.RetentionMs, $"dead letters are deleted after {retention.TotalHours:0.#} hours, maybe before anyone replays them; keep them at least {ProductionRequirements.MinDeadLetterRetention.TotalDays:0} days");
    }

    private static string List(List<int> partitions) =>
        string.Join(", ", partitions.Take(10)) + (partitions.Count > 10 ? $" and {partitions.Count - 10} more" : string.Empty);
}

using Samsa.Configuration;
using Samsa.Consuming.Retry;
using Samsa.Provisioning;

namespace Samsa.Consuming;

/// <summary>
/// Declares the topics a consumer registration writes to, for the start-up provisioning: its retry topics and its
/// dead-letter topic take the source topic's declared partitions, replication and <c>min.insync.replicas</c>, and a
/// retention at least as long as the source's; the replay ledger is one compacted partition. A topic declared
/// explicitly (<c>AddTopic</c> or <c>Kafka:Topics</c>) keeps its own settings; only the unset ones are filled in.
/// </summary>
/// <remarks>
/// The source topic itself is not declared here. When the service does not declare it either, provisioning reads it
/// from the cluster (<see cref="UndeclaredSourceTopics"/>): the retry and dead-letter topics then take its partition
/// count and at least its retention; a source that does not exist yet leaves them the profile's defaults.
/// </remarks>
internal static class ConsumerTopicDeclarations
{
    public static void Declare(KafkaOptions kafka, ConsumerOptions options)
    {
        kafka.Topics.TryGetValue(options.Topic, out var source);
        foreach (var name in options.RetryTopics.Append(options.EffectiveDeadLetterTopic))
        {
            var topic = GetOrAdd(kafka, name);
            topic.Partitions ??= source?.Partitions;
            topic.ReplicationFactor ??= source?.ReplicationFactor;
            topic.MinInsyncReplicas ??= source?.MinInsyncReplicas;
            topic.RetentionMs = AtLeast(topic.RetentionMs, source?.RetentionMs);
            topic.SourceTopic = options.Topic;
        }

        var ledger = GetOrAdd(kafka, RetryTopicNames.ReplayLedger(options.EffectiveDeadLetterTopic));
        ledger.Partitions ??= 1;
        ledger.CleanupPolicy ??= TopicCleanupPolicy.Compact;
        ledger.ReplicationFactor ??= source?.ReplicationFactor;
        ledger.MinInsyncReplicas ??= source?.MinInsyncReplicas;
    }

    /// <summary>The longer of two retentions (-1, for ever, is the longest); unset stays unset unless the source has one.</summary>
    internal static long? AtLeast(long? declared, long? source)
    {
        if (source is null)
        {
            return declared;
        }

        if (declared is null)
        {
            return source;
        }

        if (declared == TopicDefaults.Limits.UnlimitedRetentionMs || source == TopicDefaults.Limits.UnlimitedRetentionMs)
        {
            return TopicDefaults.Limits.UnlimitedRetentionMs;
        }

        return Math.Max(declared.Value, source.Value);
    }

    private static TopicDeclaration GetOrAdd(KafkaOptions kafka, string name)
    {
        if (!kafka.Topics.TryGetValue(name, out var topic))
        {
            topic = new TopicDeclaration();
            kafka.Topics[name] = topic;
        }

        return topic;
    }
}

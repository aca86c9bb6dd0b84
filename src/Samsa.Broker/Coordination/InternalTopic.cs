using Samsa.Broker.Cluster;

namespace Samsa.Broker.Coordination;

/// <summary>A coordinator's internal topic (<c>__consumer_offsets</c>, <c>__transaction_state</c>): compacted, created on first use.</summary>
internal static class InternalTopic
{
    /// <summary>
    /// The topic <paramref name="name"/>, created when missing with <paramref name="partitions"/> partitions and
    /// <paramref name="replicationFactor"/> capped at the live nodes; null with the reason when it cannot be created.
    /// </summary>
    public static (TopicState? Topic, CreateTopicOutcome? Failure) GetOrCreate(ClusterState cluster, string name, int partitions, short replicationFactor)
    {
        if (cluster.TryGetTopic(name, out var topic))
        {
            return (topic, null);
        }

        var factor = (short)Math.Max(1, Math.Min(replicationFactor, cluster.AliveNodeCount));
        var outcome = cluster.CreateTopic(
            name,
            partitions,
            factor,
            null,
            new Dictionary<string, string?>
            {
                [TopicConfigDefinitions.CleanupPolicy] = "compact",

                // Kafka's offsets.topic.segment.bytes and transaction.state.log.segment.bytes default: small enough that segments roll and get compacted.
                [TopicConfigDefinitions.SegmentBytes] = "104857600",
            },
            validateOnly: false,
            isInternal: true);

        // Another request may have created it meanwhile.
        return outcome.Topic is not null ? (outcome.Topic, null)
            : cluster.TryGetTopic(name, out topic) ? (topic, null)
            : (null, outcome);
    }
}

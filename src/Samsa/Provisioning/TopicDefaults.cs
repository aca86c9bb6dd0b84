using Samsa.Configuration;

namespace Samsa.Provisioning;

/// <summary>
/// Defaults of declared topics, per <see cref="KafkaProfile"/>, and the limits Kafka puts on them. A declaration
/// that leaves a setting unset gets its profile's value here.
/// </summary>
public static class TopicDefaults
{
    /// <summary>
    /// <see cref="KafkaProfile.Production"/>: 6 partitions, 3 replicas, 2 of them in sync for an <c>acks=all</c>
    /// write, so one broker can be down without losing a write or refusing one.
    /// </summary>
    public static class Production
    {
        /// <summary>Partitions: room for six consumers per group.</summary>
        public const int Partitions = 6;

        /// <summary>Replication factor.</summary>
        public const short ReplicationFactor = 3;

        /// <summary><c>min.insync.replicas</c>.</summary>
        public const int MinInsyncReplicas = 2;
    }

    /// <summary><see cref="KafkaProfile.Development"/>: one partition on one broker.</summary>
    public static class Development
    {
        /// <summary>Partitions.</summary>
        public const int Partitions = 1;

        /// <summary>Replication factor.</summary>
        public const short ReplicationFactor = 1;

        /// <summary><c>min.insync.replicas</c>.</summary>
        public const int MinInsyncReplicas = 1;
    }

    /// <summary>Kafka's limits.</summary>
    public static class Limits
    {
        /// <summary>The longest topic name Kafka accepts.</summary>
        public const int MaxNameLength = 249;

        /// <summary><c>retention.ms</c> of -1 keeps records for ever.</summary>
        public const long UnlimitedRetentionMs = -1;
    }

    /// <summary>The partitions, replication factor and <c>min.insync.replicas</c> of <paramref name="profile"/>.</summary>
    public static (int Partitions, short ReplicationFactor, int MinInsyncReplicas) For(KafkaProfile profile) =>
        profile == KafkaProfile.Development
            ? (Development.Partitions, Development.ReplicationFactor, Development.MinInsyncReplicas)
            : (Production.Partitions, Production.ReplicationFactor, Production.MinInsyncReplicas);
}

namespace Samsa.Broker;

/// <summary>Default values and limits of <see cref="BrokerOptions"/>, matching Apache Kafka's broker defaults where one exists.</summary>
public static class BrokerDefaults
{
    /// <summary>Nodes a broker starts with.</summary>
    public const int NodeCount = 1;
    /// <summary>Most nodes one broker may run.</summary>
    public const int MaxNodeCount = 16;
    /// <summary>Loopback: the address nodes bind to and advertise.</summary>
    public const string Host = "127.0.0.1";
    /// <summary>Partitions of topics created without a count (auto-created or with -1): Kafka's <c>num.partitions</c> default.</summary>
    public const int DefaultPartitions = 1;
    /// <summary>Replication factor of topics created without one (auto-created or with -1): Kafka's <c>default.replication.factor</c> default.</summary>
    public const short DefaultReplicationFactor = 1;

    /// <summary>Kafka's <c>socket.request.max.bytes</c> default, 100 MiB.</summary>
    public const int MaxRequestSize = 104_857_600;

    /// <summary>Kafka's <c>connections.max.idle.ms</c> default.</summary>
    public static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long <see cref="SamsaBroker.DisposeAsync"/> waits for in-flight requests before closing connections.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often idle connections and timeouts are checked.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>Kafka's <c>offsets.topic.num.partitions</c> default.</summary>
    public const int OffsetsTopicPartitions = 50;

    /// <summary>Kafka's <c>offsets.topic.replication.factor</c> default.</summary>
    public const short OffsetsTopicReplicationFactor = 3;

    /// <summary>Kafka's <c>group.max.size</c> default (no limit).</summary>
    public const int GroupMaxSize = int.MaxValue;

    /// <summary>Kafka's <c>offset.metadata.max.bytes</c> default.</summary>
    public const int OffsetMetadataMaxBytes = 4096;

    /// <summary>Kafka's <c>group.min.session.timeout.ms</c> default.</summary>
    public static readonly TimeSpan GroupMinSessionTimeout = TimeSpan.FromSeconds(6);

    /// <summary>Kafka's <c>group.max.session.timeout.ms</c> default.</summary>
    public static readonly TimeSpan GroupMaxSessionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Kafka's <c>group.initial.rebalance.delay.ms</c> default.</summary>
    public static readonly TimeSpan GroupInitialRebalanceDelay = TimeSpan.FromSeconds(3);

    /// <summary>Kafka's <c>offsets.retention.minutes</c> default, 7 days.</summary>
    public static readonly TimeSpan OffsetsRetention = TimeSpan.FromDays(7);

    /// <summary>Kafka's <c>offsets.retention.check.interval.ms</c> default.</summary>
    public static readonly TimeSpan OffsetsRetentionCheckInterval = TimeSpan.FromMinutes(10);

    /// <summary>Kafka's <c>max.incremental.fetch.session.cache.slots</c> default.</summary>
    public const int MaxIncrementalFetchSessionCacheSlots = 1000;

    /// <summary>Kafka's <c>group.consumer.session.timeout.ms</c> default (KIP-848 groups).</summary>
    public static readonly TimeSpan ConsumerGroupSessionTimeout = TimeSpan.FromSeconds(45);

    /// <summary>Kafka's <c>group.consumer.heartbeat.interval.ms</c> default (KIP-848 groups).</summary>
    public static readonly TimeSpan ConsumerGroupHeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>Kafka's <c>group.consumer.max.size</c> default (no limit).</summary>
    public const int ConsumerGroupMaxSize = int.MaxValue;

    /// <summary>Kafka's <c>group.consumer.assignors</c> default: the first is used when a member names none.</summary>
    public static readonly IReadOnlyList<string> ConsumerGroupAssignors = ["uniform", "range"];
}

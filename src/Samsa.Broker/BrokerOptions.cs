using Samsa.Broker.Security;

namespace Samsa.Broker;

/// <summary>
/// Settings of an embedded or standalone Samsa.Broker. Names in comments are the Apache Kafka
/// broker settings each one mirrors.
/// </summary>
public sealed class BrokerOptions
{
    /// <summary>Brokers (nodes) to run in this process, each on its own port. Node ids are 0..N-1.</summary>
    public int NodeCount { get; set; } = BrokerDefaults.NodeCount;

    /// <summary>Address the listeners bind to and advertise.</summary>
    public string Host { get; set; } = BrokerDefaults.Host;

    /// <summary>Port of node 0; node i listens on Port + i. 0 picks free ports.</summary>
    public int Port { get; set; }

    /// <summary>Where logs and metadata are kept. Null keeps everything in memory (fast tests).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Cluster id reported in Metadata and DescribeCluster; generated (and persisted with the data) when null.</summary>
    public string? ClusterId { get; set; }

    /// <summary><c>auto.create.topics.enable</c>; off by default, as in production.</summary>
    public bool AutoCreateTopics { get; set; }

    /// <summary><c>num.partitions</c>: partitions of auto-created topics and of CreateTopics with -1.</summary>
    public int DefaultPartitions { get; set; } = BrokerDefaults.DefaultPartitions;

    /// <summary><c>default.replication.factor</c>, capped at the node count.</summary>
    public short DefaultReplicationFactor { get; set; } = BrokerDefaults.DefaultReplicationFactor;

    /// <summary><c>socket.request.max.bytes</c>: the largest request frame accepted.</summary>
    public int MaxRequestSize { get; set; } = BrokerDefaults.MaxRequestSize;

    /// <summary><c>connections.max.idle.ms</c>.</summary>
    public TimeSpan IdleConnectionTimeout { get; set; } = BrokerDefaults.IdleConnectionTimeout;

    /// <summary>Broker-wide defaults of topic configs (<c>log.retention.ms</c>, <c>message.max.bytes</c>, ...), by topic config name.</summary>
    public Dictionary<string, string> TopicConfigDefaults { get; } = new(StringComparer.Ordinal);

    /// <summary>Topics created at start when missing: name -> partitions.</summary>
    public Dictionary<string, int> SeedTopics { get; } = new(StringComparer.Ordinal);

    /// <summary>The clock for timestamps, retention, session and fetch timeouts.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>How long a clean shutdown waits for in-flight requests.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = BrokerDefaults.ShutdownTimeout;

    /// <summary><c>offsets.topic.num.partitions</c>: partitions of <c>__consumer_offsets</c> when it is created.</summary>
    public int OffsetsTopicPartitions { get; set; } = BrokerDefaults.OffsetsTopicPartitions;

    /// <summary><c>offsets.topic.replication.factor</c>, capped at the live node count when the topic is created.</summary>
    public short OffsetsTopicReplicationFactor { get; set; } = BrokerDefaults.OffsetsTopicReplicationFactor;

    /// <summary><c>group.min.session.timeout.ms</c>: JoinGroup with a shorter session timeout gets INVALID_SESSION_TIMEOUT.</summary>
    public TimeSpan GroupMinSessionTimeout { get; set; } = BrokerDefaults.GroupMinSessionTimeout;

    /// <summary><c>group.max.session.timeout.ms</c>: JoinGroup with a longer session timeout gets INVALID_SESSION_TIMEOUT.</summary>
    public TimeSpan GroupMaxSessionTimeout { get; set; } = BrokerDefaults.GroupMaxSessionTimeout;

    /// <summary><c>group.initial.rebalance.delay.ms</c>: how long the first rebalance of an empty group waits for more members.</summary>
    public TimeSpan GroupInitialRebalanceDelay { get; set; } = BrokerDefaults.GroupInitialRebalanceDelay;

    /// <summary><c>group.max.size</c>: members a classic group may have.</summary>
    public int GroupMaxSize { get; set; } = BrokerDefaults.GroupMaxSize;

    /// <summary>
    /// <c>max.incremental.fetch.session.cache.slots</c>: incremental fetch sessions (KIP-227) each node
    /// keeps; 0 turns sessions off (every fetch is a full one).
    /// </summary>
    public int MaxIncrementalFetchSessionCacheSlots { get; set; } = BrokerDefaults.MaxIncrementalFetchSessionCacheSlots;

    /// <summary><c>group.consumer.session.timeout.ms</c>: a member of a consumer-protocol (KIP-848) group that sends no heartbeat for this long is removed.</summary>
    public TimeSpan ConsumerGroupSessionTimeout { get; set; } = BrokerDefaults.ConsumerGroupSessionTimeout;

    /// <summary><c>group.consumer.heartbeat.interval.ms</c>: how often members of consumer-protocol groups are told to heartbeat.</summary>
    public TimeSpan ConsumerGroupHeartbeatInterval { get; set; } = BrokerDefaults.ConsumerGroupHeartbeatInterval;

    /// <summary><c>group.consumer.max.size</c>: members a consumer-protocol group may have.</summary>
    public int ConsumerGroupMaxSize { get; set; } = BrokerDefaults.ConsumerGroupMaxSize;

    /// <summary>
    /// <c>group.consumer.assignors</c>: the server-side assignors consumer-protocol groups may name
    /// (<c>uniform</c>, <c>range</c>); the first one is used when a member names none.
    /// </summary>
    public List<string> ConsumerGroupAssignors { get; } = [.. BrokerDefaults.ConsumerGroupAssignors];

    /// <summary><c>offset.metadata.max.bytes</c>: the longest metadata string an offset commit may carry.</summary>
    public int OffsetMetadataMaxBytes { get; set; } = BrokerDefaults.OffsetMetadataMaxBytes;

    /// <summary><c>offsets.retention.minutes</c>: how long the offsets of an empty group are kept.</summary>
    public TimeSpan OffsetsRetention { get; set; } = BrokerDefaults.OffsetsRetention;

    /// <summary><c>offsets.retention.check.interval.ms</c>: how often expired offsets and empty groups are removed.</summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; set; } = BrokerDefaults.OffsetsRetentionCheckInterval;

    /// <summary><c>transaction.state.log.num.partitions</c>: partitions of <c>__transaction_state</c> when it is created.</summary>
    public int TransactionStateTopicPartitions { get; set; } = Transactions.TransactionDefaults.StateTopicPartitions;

    /// <summary><c>transaction.state.log.replication.factor</c>, capped at the live node count when the topic is created.</summary>
    public short TransactionStateTopicReplicationFactor { get; set; } = Transactions.TransactionDefaults.StateTopicReplicationFactor;

    /// <summary><c>transaction.max.timeout.ms</c>: InitProducerId with a longer transaction timeout gets INVALID_TRANSACTION_TIMEOUT.</summary>
    public TimeSpan TransactionMaxTimeout { get; set; } = Transactions.TransactionDefaults.MaxTimeout;

    /// <summary><c>transaction.abort.timed.out.transaction.cleanup.interval.ms</c>: how often transactions past their timeout are aborted.</summary>
    public TimeSpan TransactionAbortTimedOutInterval { get; set; } = Transactions.TransactionDefaults.AbortTimedOutInterval;

    /// <summary>Listener security: PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL, with certificates, mechanisms and users.</summary>
    public BrokerSecurityOptions Security { get; } = new();
}

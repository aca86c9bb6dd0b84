using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>Consumer settings (<c>Kafka:Consumer</c>, <c>KAFKA_CONSUMER_*</c>).</summary>
public sealed class KafkaConsumerOptions
{
    /// <summary><c>group.id</c>.</summary>
    public string? GroupId { get; set; }

    /// <summary><c>auto.offset.reset</c>: earliest, latest or error.</summary>
    public AutoOffsetReset? AutoOffsetReset { get; set; }

    /// <summary><c>enable.auto.commit</c>.</summary>
    public bool? EnableAutoCommit { get; set; }

    /// <summary><c>session.timeout.ms</c>.</summary>
    [KafkaRange(KafkaDefaults.Limits.MinGroupTimeoutMs, KafkaDefaults.Limits.MaxGroupTimeoutMs)]
    public int? SessionTimeoutMs { get; set; }

    /// <summary><c>heartbeat.interval.ms</c>; must be below <see cref="SessionTimeoutMs"/>.</summary>
    [KafkaRange(KafkaDefaults.Limits.MinGroupTimeoutMs, KafkaDefaults.Limits.MaxGroupTimeoutMs)]
    public int? HeartbeatIntervalMs { get; set; }

    /// <summary><c>max.poll.interval.ms</c>; must be at least <see cref="SessionTimeoutMs"/>.</summary>
    [KafkaRange(KafkaDefaults.Limits.MinMaxPollIntervalMs, KafkaDefaults.Limits.MaxMaxPollIntervalMs)]
    public int? MaxPollIntervalMs { get; set; }

    /// <summary><c>fetch.min.bytes</c>.</summary>
    [KafkaRange(0, int.MaxValue)]
    public int? FetchMinBytes { get; set; }

    /// <summary><c>fetch.max.bytes</c>.</summary>
    [KafkaRange(0, KafkaDefaults.Limits.MaxFetchMaxBytes)]
    public int? FetchMaxBytes { get; set; }

    /// <summary><c>fetch.wait.max.ms</c> (the Java client's <c>fetch.max.wait.ms</c>).</summary>
    [KafkaRange(0, KafkaDefaults.Limits.MaxFetchWaitMs)]
    public int? FetchWaitMaxMs { get; set; }

    /// <summary><c>max.partition.fetch.bytes</c>.</summary>
    [KafkaRange(KafkaDefaults.Limits.MinMaxPartitionFetchBytes, KafkaDefaults.Limits.MaxMaxPartitionFetchBytes)]
    public int? MaxPartitionFetchBytes { get; set; }

    /// <summary><c>fetch.queue.backoff.ms</c>: how long to back off when the local fetch queue is full (librdkafka 2.4+).</summary>
    [KafkaRange(0, KafkaDefaults.Limits.MaxFetchWaitMs)]
    public int? FetchQueueBackoffMs { get; set; }

    /// <summary><c>isolation.level</c>: read_committed or read_uncommitted.</summary>
    public IsolationLevel? IsolationLevel { get; set; }

    /// <summary>
    /// <c>group.protocol</c>: classic (the default) or consumer, the KIP-848 protocol of Kafka 4 where the
    /// broker assigns partitions. With consumer, session timeout and heartbeat interval are the broker's
    /// (<c>group.consumer.session.timeout.ms</c>, <c>group.consumer.heartbeat.interval.ms</c>) and may not be set here,
    /// and the assignment strategy is ignored (the broker's assignor decides, <c>group.remote.assignor</c> picks one).
    /// </summary>
    public GroupProtocol? GroupProtocol { get; set; }

    /// <summary>Raw librdkafka properties for consumers only; they override <see cref="KafkaOptions.Properties"/>.</summary>
    public IDictionary<string, string> Properties { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

namespace Samsa.Provisioning;

/// <summary>
/// A topic the service needs, declared in code (<c>AddTopic("orders", t => t.Partitions = 12)</c>) or in
/// configuration (<c>Kafka:Topics:orders:Partitions</c>). Missing topics are created with these settings; existing
/// ones are checked against them. A setting left <see langword="null"/> takes its profile default
/// (<see cref="TopicDefaults"/>) or, for retention and cleanup, the broker's default (and is then not checked).
/// </summary>
public sealed class TopicDeclaration
{
    /// <summary>Partitions. An existing topic with fewer is drift; partitions are only ever added.</summary>
    public int? Partitions { get; set; }

    /// <summary>Replicas of each partition. An existing topic with fewer is drift.</summary>
    public short? ReplicationFactor { get; set; }

    /// <summary><c>min.insync.replicas</c>: replicas that must have an <c>acks=all</c> write. At most <see cref="ReplicationFactor"/>.</summary>
    public int? MinInsyncReplicas { get; set; }

    /// <summary><c>retention.ms</c>: how long records are kept; -1 keeps them for ever.</summary>
    public long? RetentionMs { get; set; }

    /// <summary><c>cleanup.policy</c>.</summary>
    public TopicCleanupPolicy? CleanupPolicy { get; set; }

    /// <summary>Other topic configs by Kafka name (<c>max.message.bytes</c>), set at creation and checked on existing topics.</summary>
    public IDictionary<string, string> Configs { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The source topic a retry or dead-letter topic goes with (set by <c>AddConsumer</c>). When the source is not
    /// declared but exists, provisioning takes its partition count for <see cref="Partitions"/> left unset, and a
    /// retention at least as long as its own (<see cref="UndeclaredSourceTopics"/>).
    /// </summary>
    internal string? SourceTopic { get; set; }
}

namespace Samsa.Broker.Cluster;

/// <summary>
/// The topic configs Samsa.Broker knows, with Apache Kafka's defaults. Configs marked not applied
/// are accepted and reported (so tools that set them work) but change no behaviour; see
/// Handlers/UNSUPPORTED.md.
/// </summary>
internal static class TopicConfigDefinitions
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string MinCompactionLagMs = "min.compaction.lag.ms";
    public const string FlushMessages = "flush.messages";
    public const string FlushMs = "flush.ms";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MessageFormatVersion = "message.format.version";
    public const string MessageTimestampBeforeMaxMs = "message.timestamp.before.max.ms";
    public const string MessageTimestampAfterMaxMs = "message.timestamp.after.max.ms";
    public const string MessageTimestampDifferenceMaxMs = "message.timestamp.difference.max.ms";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentMs = "segment.ms";

    public static IReadOnlyList<TopicConfigDefinition> All { get; } =
    [
        new(CleanupPolicy, "log.cleanup.policy", ConfigType.List, "delete", AllowedValues: ["delete", "compact"], AllowsList: true),
        new(CompressionType, "compression.type", ConfigType.String, "producer", AllowedValues: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        new(DeleteRetentionMs, "log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", Min: 0),
        new("file.delete.delay.ms", "log.segment.delete.delay.ms", ConfigType.Long, "60000", Min: 0, Applied: false),
        new(FlushMessages, "log.flush.interval.messages", ConfigType.Long, "9223372036854775807", Min: 1),
        new(FlushMs, "log.flush.interval.ms", ConfigType.Long, "9223372036854775807", Min: 0),
        new(IndexIntervalBytes, "log.index.interval.bytes", ConfigType.Int, "4096", Min: 0),
        new("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", ConfigType.Long, "9223372036854775807", Min: 1, Applied: false),
        new(MaxMessageBytes, "message.max.bytes", ConfigType.Int, "1048588", Min: 0),
        new("message.downconversion.enable", "log.message.downconversion.enable", ConfigType.Boolean, "true", Applied: false),

        // Deprecated since Kafka 3.0 and ignored there (the format is always magic 2); accepted so tools that send it work.
        new(MessageFormatVersion, "log.message.format.version", ConfigType.String, "3.0-IV1", Applied: false, Check: MetadataVersions.Validate),
        new(MessageTimestampAfterMaxMs, "log.message.timestamp.after.max.ms", ConfigType.Long, "9223372036854775807", Min: 0),
        new(MessageTimestampBeforeMaxMs, "log.message.timestamp.before.max.ms", ConfigType.Long, "9223372036854775807", Min: 0),
        new(MessageTimestampDifferenceMaxMs, "log.message.timestamp.difference.max.ms", ConfigType.Long, "9223372036854775807", Min: 0),
        new(MessageTimestampType, "log.message.timestamp.type", ConfigType.String, "CreateTime", AllowedValues: ["CreateTime", "LogAppendTime"]),
        new(MinCleanableDirtyRatio, "log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", Min: 0, Max: 1),
        new(MinCompactionLagMs, "log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0", Min: 0),
        new(MinInsyncReplicas, "min.insync.replicas", ConfigType.Int, "1", Min: 1),
        new("preallocate", "log.preallocate", ConfigType.Boolean, "false", Applied: false),
        new(RetentionBytes, "log.retention.bytes", ConfigType.Long, "-1"),
        new(RetentionMs, "log.retention.ms", ConfigType.Long, "604800000", Min: -1),
        new(SegmentBytes, "log.segment.bytes", ConfigType.Int, "1073741824", Min: 14),
        new("segment.index.bytes", "log.index.size.max.bytes", ConfigType.Int, "10485760", Min: 4, Applied: false),
        new("segment.jitter.ms", "log.roll.jitter.ms", ConfigType.Long, "0", Min: 0, Applied: false),
        new(SegmentMs, "log.roll.ms", ConfigType.Long, "604800000", Min: 1),
        new("unclean.leader.election.enable", "unclean.leader.election.enable", ConfigType.Boolean, "false", Applied: false),
    ];

    private static readonly Dictionary<string, TopicConfigDefinition> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out TopicConfigDefinition definition) => ByName.TryGetValue(name, out definition!);
}

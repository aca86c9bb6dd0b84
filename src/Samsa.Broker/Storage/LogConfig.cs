namespace Samsa.Broker.Storage;

/// <summary>
/// The settings one partition log follows. Names in comments are the Kafka topic configs each
/// mirrors. Immutable: a config change sets a new instance on <see cref="PartitionLog.Config"/>.
/// </summary>
internal sealed record LogConfig
{
    /// <summary>Kafka's <c>segment.bytes</c> default, 1 GiB.</summary>
    public const int DefaultSegmentBytes = 1_073_741_824;

    /// <summary>Kafka's <c>segment.ms</c> default, 7 days.</summary>
    public const long DefaultSegmentMs = 604_800_000;

    /// <summary>Kafka's <c>retention.ms</c> default, 7 days.</summary>
    public const long DefaultRetentionMs = 604_800_000;

    /// <summary>Kafka's <c>retention.bytes</c> default: no size limit.</summary>
    public const long DefaultRetentionBytes = -1;

    /// <summary>Kafka's <c>index.interval.bytes</c> default.</summary>
    public const int DefaultIndexIntervalBytes = 4096;

    /// <summary>Kafka's <c>min.cleanable.dirty.ratio</c> default.</summary>
    public const double DefaultMinCleanableDirtyRatio = 0.5;

    /// <summary>Kafka's <c>delete.retention.ms</c> default, 1 day.</summary>
    public const long DefaultDeleteRetentionMs = 86_400_000;

    /// <summary>Bytes of keys one compaction pass may hold in its key map (Kafka's <c>log.cleaner.dedupe.buffer.size</c> is 128 MiB over all cleaner threads).</summary>
    public const long DefaultCleanerKeyMapBytes = 64L << 20;

    /// <summary>Kafka's <c>max.message.bytes</c> default.</summary>
    public const int DefaultMaxMessageBytes = 1_048_588;

    /// <summary>Kafka's <c>flush.messages</c> and <c>flush.ms</c> default: leave flushing to the OS.</summary>
    public const long NeverFlush = long.MaxValue;

    public static LogConfig Default { get; } = new();

    /// <summary><c>segment.bytes</c>: a segment rolls before an append would make it larger than this.</summary>
    public int SegmentBytes { get; init; } = DefaultSegmentBytes;

    /// <summary><c>segment.ms</c>: a segment rolls once its records span this long.</summary>
    public long SegmentMs { get; init; } = DefaultSegmentMs;

    /// <summary><c>retention.ms</c>: closed segments whose newest record is older than this are deleted; -1 keeps them.</summary>
    public long RetentionMs { get; init; } = DefaultRetentionMs;

    /// <summary><c>retention.bytes</c>: oldest closed segments are deleted while the log stays at least this big; -1 keeps them.</summary>
    public long RetentionBytes { get; init; } = DefaultRetentionBytes;

    /// <summary><c>index.interval.bytes</c>: bytes of batches between two offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = DefaultIndexIntervalBytes;

    /// <summary><c>flush.messages</c>: fsync after this many records since the last flush.</summary>
    public long FlushMessages { get; init; } = NeverFlush;

    /// <summary><c>flush.ms</c>: fsync when this long has passed since the last flush.</summary>
    public long FlushMs { get; init; } = NeverFlush;

    /// <summary><c>message.timestamp.type=LogAppendTime</c>: the broker stamps each batch with its append time.</summary>
    public bool LogAppendTime { get; init; }

    /// <summary>
    /// <c>max.message.bytes</c>: the largest record batch a produce may append. Like the three settings
    /// after it, the log itself does not read it: it travels with the log's settings, as in Kafka's
    /// LogConfig, for the layers that append to the log (batch validation, the partition).
    /// </summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary><c>min.insync.replicas</c>: an acks=all append needs at least this many in-sync replicas.</summary>
    public int MinInsyncReplicas { get; init; } = 1;

    /// <summary><c>message.timestamp.before.max.ms</c>: how far before the broker's clock a CreateTime record's timestamp may be.</summary>
    public long MessageTimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary><c>message.timestamp.after.max.ms</c>: how far after the broker's clock a CreateTime record's timestamp may be.</summary>
    public long MessageTimestampAfterMaxMs { get; init; } = long.MaxValue;

    /// <summary>Whether produced records must be decoded to check their timestamps.</summary>
    public bool BoundsTimestamps => !LogAppendTime && (MessageTimestampBeforeMaxMs != long.MaxValue || MessageTimestampAfterMaxMs != long.MaxValue);

    /// <summary><c>cleanup.policy</c> holds <c>delete</c>: closed segments go by <see cref="RetentionMs"/> and <see cref="RetentionBytes"/>.</summary>
    public bool Delete { get; init; } = true;

    /// <summary><c>cleanup.policy</c> holds <c>compact</c>: closed segments keep only the latest record of each key (see <see cref="PartitionLog.Compact"/>).</summary>
    public bool Compact { get; init; }

    /// <summary><c>min.cleanable.dirty.ratio</c>: compact once dirty bytes are at least this share of the closed segments' bytes.</summary>
    public double MinCleanableDirtyRatio { get; init; } = DefaultMinCleanableDirtyRatio;

    /// <summary><c>delete.retention.ms</c>: how long a tombstone stays after compaction first kept it.</summary>
    public long DeleteRetentionMs { get; init; } = DefaultDeleteRetentionMs;

    /// <summary><c>min.compaction.lag.ms</c>: records newer than this (by their segment's max timestamp) are not compacted yet.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>Bound on the key bytes one compaction pass reads into memory; a pass always takes at least one dirty segment.</summary>
    public long CleanerKeyMapBytes { get; init; } = DefaultCleanerKeyMapBytes;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        Check(SegmentBytes >= 1, nameof(SegmentBytes), SegmentBytes, "at least 1");
        Check(SegmentMs >= 1, nameof(SegmentMs), SegmentMs, "at least 1");
        Check(RetentionMs >= -1, nameof(RetentionMs), RetentionMs, "-1 or more");
        Check(RetentionBytes >= -1, nameof(RetentionBytes), RetentionBytes, "-1 or more");
        Check(IndexIntervalBytes >= 0, nameof(IndexIntervalBytes), IndexIntervalBytes, "0 or more");
        Check(FlushMessages >= 1, nameof(FlushMessages), FlushMessages, "at least 1");
        Check(FlushMs >= 0, nameof(FlushMs), FlushMs, "0 or more");
        Check(DeleteRetentionMs >= 0, nameof(DeleteRetentionMs), DeleteRetentionMs, "0 or more");
        Check(MinCompactionLagMs >= 0, nameof(MinCompactionLagMs), MinCompactionLagMs, "0 or more");
        Check(CleanerKeyMapBytes >= 1, nameof(CleanerKeyMapBytes), CleanerKeyMapBytes, "at least 1");
        if (MinCleanableDirtyRatio is < 0 or > 1 or double.NaN)
        {
            throw new ArgumentException($"LogConfig.{nameof(MinCleanableDirtyRatio)} is {MinCleanableDirtyRatio}; it must be between 0 and 1.", nameof(MinCleanableDirtyRatio));
        }
    }

    private static void Check(bool valid, string name, long value, string expected)
    {
        if (!valid)
        {
            throw new ArgumentException($"LogConfig.{name} is {value}; it must be {expected}.", name);
        }
    }
}

namespace Samsa.Monitoring;

/// <summary>
/// One partition of a group: its committed offset (null before the first commit), the partition's end (high
/// watermark), and the records between them.
/// </summary>
internal sealed record PartitionLag(string Topic, int Partition, long? Committed, long End)
{
    /// <summary>Timestamp of the record at the committed offset (the oldest one not consumed), when it was read.</summary>
    public DateTimeOffset? CommittedRecordTimestamp { get; init; }

    /// <summary>True when the monitor judged the partition stuck (lag and no progress, or a group with no members).</summary>
    public bool Stuck { get; init; }

    /// <summary>Age of the oldest record not consumed at <paramref name="now"/>: zero without lag, null when unknown.</summary>
    public TimeSpan? TimeLag(DateTimeOffset now) => Lag is 0 ? TimeSpan.Zero
        : CommittedRecordTimestamp is { } timestamp ? (now - timestamp > TimeSpan.Zero ? now - timestamp : TimeSpan.Zero) : null;

    /// <summary>Records not yet consumed; null when the group never committed here (it starts by its offset reset policy).</summary>
    public long? Lag => Committed is { } committed ? Math.Max(0, End - committed) : null;
}

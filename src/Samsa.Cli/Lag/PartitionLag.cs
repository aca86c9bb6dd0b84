namespace Samsa.Cli.Lag;

/// <summary>
/// One partition of a group: its committed offset (null before the first commit), the partition's end (high
/// watermark), and the records between them.
/// </summary>
internal sealed record PartitionLag(string Topic, int Partition, long? Committed, long End)
{
    /// <summary>Records not yet consumed; null when the group never committed here (it starts by its offset reset policy).</summary>
    public long? Lag => Committed is { } committed ? Math.Max(0, End - committed) : null;
}

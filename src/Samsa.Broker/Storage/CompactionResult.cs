namespace Samsa.Broker.Storage;

/// <summary>
/// What one compaction pass did: the closed segments it read, those it replaced or removed (with
/// their bytes before and after) and the records it dropped.
/// </summary>
internal readonly record struct CompactionResult(int SegmentsCleaned, int SegmentsRewritten, long BytesBefore, long BytesAfter, long RecordsDropped)
{
    /// <summary>No pass ran: nothing was due, or the topic is not compacted.</summary>
    public static CompactionResult None => default;

    public bool Ran => SegmentsCleaned > 0;
}

using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Replication;

/// <summary>
/// Idempotent-producer state of one partition: per producer id, its epoch and its last five batches
/// (sequence range and offsets). A batch is checked before it is appended: a retried batch is
/// recognised as a duplicate and answered with its original offset; a gap in sequence numbers is
/// OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is INVALID_PRODUCER_EPOCH. Guarded by the
/// partition's lock. Not persisted on its own: every batch header in the log carries its producer
/// id, epoch and sequences, so at open the table is rebuilt by replaying the log
/// (<see cref="PartitionStateRebuild"/>), as Kafka rebuilds its producer state. A retry of a batch
/// whose answer a crash lost is then still recognised. A producer the log has no batch of (never
/// wrote here, or its batches were deleted) has no state, and, as in Kafka, any sequence is accepted.
/// </summary>
internal sealed class ProducerStateTable
{
    public const int RetainedBatches = 5;

    private readonly Dictionary<long, ProducerEntry> _producers = [];

    public int Count => _producers.Count;

    /// <summary>What to do with a batch from <paramref name="producerId"/>.</summary>
    public SequenceCheck Check(long producerId, short epoch, int firstSequence, int lastSequence)
    {
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            return SequenceCheck.Append;
        }

        if (epoch < entry.Epoch)
        {
            return SequenceCheck.Fail(ErrorCode.InvalidProducerEpoch, $"Producer {producerId} epoch {epoch} is older than the current epoch {entry.Epoch}.");
        }

        if (epoch > entry.Epoch)
        {
            return firstSequence == 0
                ? SequenceCheck.Append
                : SequenceCheck.Fail(ErrorCode.OutOfOrderSequenceNumber, $"Producer {producerId} started epoch {epoch} at sequence {firstSequence}; a new epoch must start at 0.");
        }

        foreach (var batch in entry.Batches)
        {
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
            {
                return new SequenceCheck(ErrorCode.None, null, batch.FirstOffset);
            }
        }

        var last = entry.Batches.Count > 0 ? entry.Batches[^1].LastSequence : -1;
        var inSequence = firstSequence == last + 1 || (firstSequence == 0 && last == int.MaxValue) || entry.Batches.Count == 0;
        return inSequence
            ? SequenceCheck.Append
            : SequenceCheck.Fail(ErrorCode.OutOfOrderSequenceNumber, $"Producer {producerId} sent sequence {firstSequence} after {last}.");
    }

    /// <summary>Records an appended batch.</summary>
    public void Record(long producerId, short epoch, int firstSequence, int lastSequence, long firstOffset, long lastOffset)
    {
        if (!_producers.TryGetValue(producerId, out var entry) || epoch > entry.Epoch)
        {
            entry = new ProducerEntry(epoch);
            _producers[producerId] = entry;
        }

        entry.Batches.Add(new BatchMetadata(firstSequence, lastSequence, firstOffset, lastOffset));
        if (entry.Batches.Count > RetainedBatches)
        {
            entry.Batches.RemoveAt(0);
        }
    }

    /// <summary>
    /// Takes note of a batch read back from the log (rebuilding at open): what <see cref="Record"/>
    /// was told when it was appended. Batches without a producer sequence (plain producers) and
    /// control batches (transaction markers, appended by a coordinator without sequence checks)
    /// leave the table as the live appends did.
    /// </summary>
    public void Replay(in RecordBatchHeader header)
    {
        if (header.ProducerId < 0 || header.BaseSequence < 0 || header.IsControl)
        {
            return;
        }

        Record(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.BaseSequence + header.LastOffsetDelta, header.BaseOffset, header.LastOffset);
    }

    /// <summary>Forgets everything (the log was truncated under it).</summary>
    public void Clear() => _producers.Clear();

    private sealed class ProducerEntry(short epoch)
    {
        public short Epoch { get; } = epoch;

        public List<BatchMetadata> Batches { get; } = new(RetainedBatches + 1);
    }

    private readonly record struct BatchMetadata(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset);
}

/// <summary>
/// The verdict on an idempotent batch: append it, answer with the offset of its earlier copy
/// (<see cref="DuplicateOffset"/> set), or fail with an error.
/// </summary>
internal readonly record struct SequenceCheck(ErrorCode Error, string? Message, long? DuplicateOffset)
{
    public static readonly SequenceCheck Append = new(ErrorCode.None, null, null);

    public static SequenceCheck Fail(ErrorCode error, string message) => new(error, message, null);
}

using Samsa.Protocol;

namespace Samsa.Broker.Replication;

/// <summary>
/// Idempotent-producer state of one partition: per producer id, its epoch and its last five batches
/// (sequence range and offsets). A batch is checked before it is appended: a retried batch is
/// recognised as a duplicate and answered with its original offset; a gap in sequence numbers is
/// OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is INVALID_PRODUCER_EPOCH. Guarded by the
/// partition's lock. Not persisted: after a restart every producer starts fresh, and (as Kafka
/// does when it has no state for a producer) any sequence is accepted.
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

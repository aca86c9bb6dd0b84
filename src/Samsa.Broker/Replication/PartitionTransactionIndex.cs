using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Replication;

/// <summary>
/// The transactions one partition holds: per producer, the first offset of its open transaction
/// (the last stable offset is the smallest of those, capped at the high watermark), and the index
/// of aborted transactions (producer, first offset, offset of the abort marker) that
/// read_committed fetches return. It follows the appends: a transactional data batch opens (or
/// extends) its producer's transaction, a control batch closes it, recording it as aborted when
/// the marker says abort. Nothing is persisted on its own: at open the index is rebuilt from the
/// log (<see cref="PartitionStateRebuild"/>), whose control batches are the durable record of every outcome.
/// Changed under the partition's lock; read from fetches without it (the last stable offset is a
/// volatile field, the aborted list is read under this object's own lock).
/// </summary>
internal sealed class PartitionTransactionIndex
{
    private readonly object _lock = new();
    private readonly Dictionary<long, long> _open = [];

    /// <summary>Aborted transactions in the order of their markers (so sorted by <see cref="AbortedTransaction.LastOffset"/>).</summary>
    private readonly List<AbortedTransaction> _aborted = [];
    private long _firstUnstableOffset = long.MaxValue;

    /// <summary>The first offset of the oldest open transaction; <see cref="long.MaxValue"/> when none is open.</summary>
    public long FirstUnstableOffset => Volatile.Read(ref _firstUnstableOffset);

    /// <summary>Producers with an open transaction here, and where each began.</summary>
    public IReadOnlyDictionary<long, long> OpenTransactions
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<long, long>(_open);
            }
        }
    }

    /// <summary>Takes note of appended batches, the first of which got <paramref name="firstOffset"/>.</summary>
    public void Apply(ReadOnlySpan<byte> batches, long firstOffset)
    {
        var position = 0;
        var offset = firstOffset;
        while (position + RecordBatchHeader.Size <= batches.Length)
        {
            var batch = batches[position..];
            if (!RecordBatchHeader.TryRead(batch, out var header) || header.TotalSize > batch.Length)
            {
                return;
            }

            if (header.IsTransactional && header.ProducerId >= 0)
            {
                if (header.IsControl)
                {
                    EndTransaction(header.ProducerId, ReadControlType(batch[..header.TotalSize]), offset);
                }
                else
                {
                    BeginTransaction(header.ProducerId, offset);
                }
            }

            offset += header.LastOffsetDelta + 1;
            position += header.TotalSize;
        }
    }

    private void BeginTransaction(long producerId, long offset)
    {
        lock (_lock)
        {
            if (_open.TryAdd(producerId, offset))
            {
                Publish();
            }
        }
    }

    private void EndTransaction(long producerId, ControlRecordType? type, long markerOffset)
    {
        lock (_lock)
        {
            // A marker for a producer with nothing open here (a partition added but never written,
            // a marker written twice) changes nothing.
            if (!_open.Remove(producerId, out var firstOffset))
            {
                return;
            }

            if (type == ControlRecordType.Abort)
            {
                _aborted.Add(new AbortedTransaction(producerId, firstOffset, markerOffset));
            }

            Publish();
        }
    }

    private void Publish() => Volatile.Write(ref _firstUnstableOffset, _open.Count == 0 ? long.MaxValue : _open.Values.Min());

    private static ControlRecordType? ReadControlType(ReadOnlySpan<byte> batch)
    {
        try
        {
            var records = RecordBatch.Parse(batch.ToArray()).ReadRecords();
            return records.Count > 0 && records[0].Key is { } key && ControlRecord.TryReadType(key.Span, out var type) ? type : null;
        }
        catch (ProtocolException)
        {
            return null;
        }
    }

    /// <summary>
    /// The aborted transactions a read_committed fetch of [<paramref name="from"/>, <paramref name="toExclusive"/>)
    /// must be told about: those whose data may lie in that range (marker at or after the start, first offset before the end).
    /// </summary>
    public List<AbortedTransaction> AbortedIn(long from, long toExclusive)
    {
        var result = new List<AbortedTransaction>();
        lock (_lock)
        {
            for (var i = FirstEndingAtOrAfter(from); i < _aborted.Count; i++)
            {
                if (_aborted[i].FirstOffset < toExclusive)
                {
                    result.Add(_aborted[i]);
                }
            }
        }

        return result;
    }

    /// <summary>True when the transactional data at <paramref name="offset"/> from <paramref name="producerId"/> belongs to an aborted transaction (log compaction drops it).</summary>
    public bool IsAborted(long producerId, long offset)
    {
        lock (_lock)
        {
            return AbortedTransactionSnapshot.Contains(_aborted, producerId, offset);
        }
    }

    /// <summary>
    /// An immutable copy of the aborted transactions that began below <paramref name="offsetExclusive"/>
    /// (pass the last stable offset), for a compaction pass that runs after the partition's lock is
    /// released: it answers for offsets below <paramref name="offsetExclusive"/> as this index did
    /// when the copy was taken, whatever the index learns or forgets meanwhile.
    /// </summary>
    public AbortedTransactionSnapshot AbortedBefore(long offsetExclusive)
    {
        lock (_lock)
        {
            // Still sorted by marker offset. A transaction left out began at or past the limit, so
            // it holds no offset below it; and a producer's transactions do not overlap, so each of
            // its later ones began later still and is left out too.
            return new AbortedTransactionSnapshot([.. _aborted.Where(aborted => aborted.FirstOffset < offsetExclusive)]);
        }
    }

    /// <summary>Index of the first aborted transaction whose marker is at or after <paramref name="offset"/> (call under the lock).</summary>
    private int FirstEndingAtOrAfter(long offset) => AbortedTransactionSnapshot.FirstEndingAtOrAfter(_aborted, offset);

    /// <summary>Forgets aborted transactions that ended before <paramref name="logStartOffset"/> (retention, DeleteRecords).</summary>
    public void RemoveBefore(long logStartOffset)
    {
        lock (_lock)
        {
            var count = 0;
            while (count < _aborted.Count && _aborted[count].LastOffset < logStartOffset)
            {
                count++;
            }

            if (count > 0)
            {
                _aborted.RemoveRange(0, count);
            }
        }
    }
}

/// <summary>
/// Aborted transactions of a partition as they were at one moment (see
/// <see cref="PartitionTransactionIndex.AbortedBefore"/>). Immutable, so safe to read from any thread.
/// </summary>
internal sealed class AbortedTransactionSnapshot(AbortedTransaction[] aborted)
{
    /// <summary>True when the transactional data at <paramref name="offset"/> from <paramref name="producerId"/> belongs to an aborted transaction.</summary>
    public bool IsAborted(long producerId, long offset) => Contains(aborted, producerId, offset);

    /// <summary>The lookup of <see cref="IsAborted"/> over a list sorted by <see cref="AbortedTransaction.LastOffset"/>.</summary>
    internal static bool Contains(IReadOnlyList<AbortedTransaction> aborted, long producerId, long offset)
    {
        // A producer's transactions do not overlap: only its first one ending after the offset can hold it.
        for (var i = FirstEndingAtOrAfter(aborted, offset + 1); i < aborted.Count; i++)
        {
            if (aborted[i].ProducerId == producerId)
            {
                return aborted[i].FirstOffset <= offset;
            }
        }

        return false;
    }

    /// <summary>Index of the first of <paramref name="aborted"/> (sorted by marker offset) whose marker is at or after <paramref name="offset"/>.</summary>
    internal static int FirstEndingAtOrAfter(IReadOnlyList<AbortedTransaction> aborted, long offset)
    {
        var low = 0;
        var high = aborted.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (aborted[middle].LastOffset < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}

/// <summary>One aborted transaction of a partition: its producer, its first offset and the offset of its abort marker.</summary>
internal readonly record struct AbortedTransaction(long ProducerId, long FirstOffset, long LastOffset);

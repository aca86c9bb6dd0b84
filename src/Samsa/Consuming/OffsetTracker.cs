namespace Samsa.Consuming;

/// <summary>
/// The offsets of one assigned partition: the offset to commit and the last committed one. Records handled one after
/// another in offset order only move the handled offset forward. With keyed concurrency
/// (<see cref="ConsumerOptions.MaxConcurrencyPerPartition"/>) records finish out of order, so each is registered with
/// <see cref="Begin"/> when it is dispatched and the offset to commit is the lowest unfinished one: committing it never
/// commits past unhandled work.
/// </summary>
/// <remarks>
/// One writer each in sequential mode: the partition's processor marks records handled; the worker's poll thread reads
/// and commits. In keyed mode several lanes mark records handled, under a lock.
/// </remarks>
internal sealed class OffsetTracker
{
    private readonly Lock _lock = new();
    private SortedSet<long>? _unfinished;
    private long _highest = -1;
    private long _handled = -1;
    private long _committed = -1;

    /// <summary>The offset to commit: one past the highest handled record with nothing unfinished below it, or -1 before the first.</summary>
    public long Handled => Volatile.Read(ref _handled);

    /// <summary>The offset last committed by this worker, or -1.</summary>
    public long Committed => Volatile.Read(ref _committed);

    /// <summary>True when records were handled since the last commit.</summary>
    public bool HasUncommitted => Handled > Committed;

    /// <summary>Keyed mode: the record at <paramref name="offset"/> was dispatched and is unfinished. Called in offset order.</summary>
    public void Begin(long offset)
    {
        lock (_lock)
        {
            (_unfinished ??= []).Add(offset);
        }
    }

    /// <summary>Records that the record at <paramref name="offset"/> is handled. Offsets only move forward.</summary>
    public void MarkHandled(long offset)
    {
        if (_unfinished is null)
        {
            var next = offset + 1;
            if (next > Volatile.Read(ref _handled))
            {
                Volatile.Write(ref _handled, next);
            }

            return;
        }

        lock (_lock)
        {
            _unfinished.Remove(offset);
            _highest = Math.Max(_highest, offset + 1);

            // Never past the lowest record still running or waiting behind its key.
            var next = _unfinished.Count > 0 ? _unfinished.Min : _highest;
            if (next > _handled)
            {
                Volatile.Write(ref _handled, next);
            }
        }
    }

    /// <summary>The offset to commit now, or null when nothing new was handled.</summary>
    public long? Committable()
    {
        var handled = Handled;
        return handled > Committed ? handled : null;
    }

    /// <summary>Records that <paramref name="offset"/> was committed.</summary>
    public void MarkCommitted(long offset)
    {
        if (offset > Volatile.Read(ref _committed))
        {
            Volatile.Write(ref _committed, offset);
        }
    }
}

namespace Samsa.Consuming;

/// <summary>
/// The offsets of one assigned partition: the next offset after the highest handled record, and the last committed
/// one. A partition's records are handled one after another in offset order, so every record below the handled offset
/// has been handled (or forwarded to a retry or dead-letter topic): it is the highest contiguous handled offset, and
/// committing it never commits past unhandled work.
/// </summary>
/// <remarks>
/// One writer each: the partition's processor marks records handled; the worker's poll thread reads and commits.
/// </remarks>
internal sealed class OffsetTracker
{
    private long _handled = -1;
    private long _committed = -1;

    /// <summary>The offset to commit: one past the highest handled record, or -1 before the first.</summary>
    public long Handled => Volatile.Read(ref _handled);

    /// <summary>The offset last committed by this worker, or -1.</summary>
    public long Committed => Volatile.Read(ref _committed);

    /// <summary>True when records were handled since the last commit.</summary>
    public bool HasUncommitted => Handled > Committed;

    /// <summary>Records that the record at <paramref name="offset"/> is handled. Offsets only move forward.</summary>
    public void MarkHandled(long offset)
    {
        var next = offset + 1;
        if (next > Volatile.Read(ref _handled))
        {
            Volatile.Write(ref _handled, next);
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

namespace Samsa.Consuming;

/// <summary>Counters the processors update and the health check reads; atomics only.</summary>
internal sealed class ConsumerCounters
{
    private long _handled;
    private long _forwarded;
    private long _deadLettered;
    private int _blocked;
    private int _dependencyDown;
    private string? _lastForwardError;

    public long Handled => Volatile.Read(ref _handled);

    public long Forwarded => Volatile.Read(ref _forwarded);

    public long DeadLettered => Volatile.Read(ref _deadLettered);

    public int Blocked => Volatile.Read(ref _blocked);

    public int DependencyDown => Volatile.Read(ref _dependencyDown);

    public string? LastForwardError => Volatile.Read(ref _lastForwardError);

    public void RecordHandled() => Interlocked.Increment(ref _handled);

    public void RecordForwarded() => Interlocked.Increment(ref _forwarded);

    public void RecordDeadLettered() => Interlocked.Increment(ref _deadLettered);

    /// <summary>Exactly-once mode: a transaction's records count when it commits.</summary>
    public void RecordCommitted(long handled, long forwarded, long deadLettered)
    {
        Interlocked.Add(ref _handled, handled);
        Interlocked.Add(ref _forwarded, forwarded);
        Interlocked.Add(ref _deadLettered, deadLettered);
    }

    public void AddBlocked(int delta) => Interlocked.Add(ref _blocked, delta);

    public void AddDependencyDown(int delta) => Interlocked.Add(ref _dependencyDown, delta);

    public void RecordForwardError(string error) => Volatile.Write(ref _lastForwardError, error);
}

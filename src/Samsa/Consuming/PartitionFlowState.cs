using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>
/// What one partition's processing side and the worker's poll thread share: the partition's identity and offsets,
/// whether it is stopping, and the flow flags that decide its pauses. Its <see cref="PartitionProcessor"/> owns it and
/// passes it to every <see cref="RecordPipeline"/> call; the pipeline reads and writes it and calls nothing back. A
/// change that may move a pause raises <see cref="ConsumerSignals.RaisePauseChange"/>, which the poll thread checks once
/// per loop iteration before it reads the flags here (<see cref="NextPauseChange"/>).
/// </summary>
/// <remarks>
/// Each field has one writer, named in its doc; readers on other threads read it with a volatile or atomic read.
/// </remarks>
internal sealed class PartitionFlowState : IDisposable
{
    private readonly ConsumerSignals _signals;
    private readonly CancellationTokenSource _drain = new();
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _stopping;
    private volatile bool _discarded;
    private int _blocked;
    private int _dependencyDown;
    private int _backpressure;
    private bool _pauseApplied;

    public PartitionFlowState(TopicPartition topicPartition, int retryLevel, ConsumerSignals signals)
    {
        TopicPartition = topicPartition;
        RetryLevel = retryLevel;
        _signals = signals;
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>0 for the source topic, n for its n-th retry topic.</summary>
    public int RetryLevel { get; }

    /// <summary>Handled offsets (written by the processing side: the processor, a batch, the transaction) and committed ones (the poll thread).</summary>
    public OffsetTracker Offsets { get; } = new();

    /// <summary>
    /// True once the partition stops taking records. Written only by its <see cref="PartitionProcessor"/>
    /// (<see cref="MarkStopping"/>): on the poll thread's stop, or on its own after a misconfiguration or a fault. Never cleared.
    /// </summary>
    public bool IsStopping => _stopping;

    /// <summary>Cancelled when the partition stops (<see cref="CancelWaits"/>): ends waits, not the handler call in progress.</summary>
    public CancellationToken DrainToken => _drain.Token;

    /// <summary>The token the handler gets; cancelled by <see cref="CancelHandler"/> (the poll thread's abort).</summary>
    public CancellationToken HandlerToken => _abort.Token;

    /// <summary>
    /// Exactly-once mode: true once the transaction holding this partition's handled records was aborted. Written only
    /// under the transaction's gate (<see cref="PartitionProcessor.Discard"/>) and read under it, so nothing more of the
    /// partition enters a transaction. Never cleared: the worker replaces the processor.
    /// </summary>
    public bool Discarded => _discarded;

    /// <summary>
    /// True while a dead letter or retry copy of this partition cannot be written (reported as
    /// <see cref="ConsumerPartitionState.Blocked"/>). Written only by the processing side (the pipeline's forward loop);
    /// read by the health check.
    /// </summary>
    public bool Blocked => Volatile.Read(ref _blocked) != 0;

    /// <summary>
    /// True while the handler's dependency is down: the partition wants a pause. Written by the processing side (the
    /// pipeline), and cleared once more by the poll thread when it drops the partition; both atomically, and only the
    /// writer that changed it counts the change.
    /// </summary>
    public bool DependencyDown => Volatile.Read(ref _dependencyDown) != 0;

    /// <summary>
    /// True while too many records wait and the partition is paused until half of them are handled. Written only by the
    /// poll thread: set when it cannot hand records over (<see cref="SetBackpressure"/>), cleared in
    /// <see cref="NextPauseChange"/> once the processor caught up (the processor raises the signal when it does).
    /// </summary>
    public bool Backpressured => Volatile.Read(ref _backpressure) != 0;

    /// <summary>Whether the partition should be paused now.</summary>
    public bool WantsPause => Backpressured || DependencyDown;

    /// <summary>Whether the consumer has the partition paused. Written only by the poll thread; read by the health check.</summary>
    public bool PauseApplied
    {
        get => Volatile.Read(ref _pauseApplied);
        set => Volatile.Write(ref _pauseApplied, value);
    }

    /// <summary>The partition's state as the worker reports it: the most specific reason wins (a blocked or dependency-down partition is paused too).</summary>
    public ConsumerPartitionState State =>
        Blocked ? ConsumerPartitionState.Blocked
        : DependencyDown ? ConsumerPartitionState.DependencyDown
        : PauseApplied ? ConsumerPartitionState.Paused
        : ConsumerPartitionState.Running;

    /// <summary>Marks the partition stopping (its processor only, under its lock).</summary>
    public void MarkStopping() => _stopping = true;

    /// <summary>Ends the waits of the record in progress (its processor only, when it stops); asynchronously, so no continuation runs on the caller.</summary>
    public void CancelWaits() => _ = _drain.CancelAsync();

    /// <summary>Cancels the handler call in progress (its processor only, on the poll thread's abort).</summary>
    public void CancelHandler()
    {
        if (!_abort.IsCancellationRequested)
        {
            _ = _abort.CancelAsync();
        }
    }

    /// <summary>Marks the partition's work thrown away by an aborted transaction (its processor only, under the transaction's gate).</summary>
    public void MarkDiscarded() => _discarded = true;

    /// <summary>Marks the partition as blocked (or not) on a write it must make before it moves on (processing side). Returns whether it changed.</summary>
    public bool SetBlocked(bool blocked) => Interlocked.Exchange(ref _blocked, blocked ? 1 : 0) != (blocked ? 1 : 0);

    /// <summary>
    /// Marks the handler's dependency as down or back, and signals the poll thread to pause or resume the partition.
    /// Returns whether it changed: with keyed concurrency several lanes may race, and only the one that changed it counts it.
    /// </summary>
    public bool SetDependencyDown(bool down)
    {
        if (Interlocked.Exchange(ref _dependencyDown, down ? 1 : 0) != (down ? 1 : 0))
        {
            _signals.RaisePauseChange();
            return true;
        }

        return false;
    }

    /// <summary>Marks the partition as behind (poll thread); it is paused until the processor catches up.</summary>
    public void SetBackpressure() => Volatile.Write(ref _backpressure, 1);

    /// <summary>
    /// Poll thread: ends backpressure once no more than <paramref name="resumeAt"/> of the partition's records wait
    /// (<paramref name="pending"/>), then says whether the partition must be paused or resumed to match
    /// <see cref="WantsPause"/>. The caller sets <see cref="PauseApplied"/> once the consumer did it.
    /// </summary>
    public PauseChange NextPauseChange(int pending, int resumeAt)
    {
        if (Backpressured && pending <= resumeAt)
        {
            Volatile.Write(ref _backpressure, 0);
        }

        var wanted = WantsPause;
        return wanted == PauseApplied ? PauseChange.None
            : wanted ? PauseChange.Pause
            : PauseChange.Resume;
    }

    /// <summary>Releases the cancellation sources (its processor only, once it is idle).</summary>
    public void Dispose()
    {
        _drain.Dispose();
        _abort.Dispose();
    }
}

/// <summary>What the poll thread must do with a partition's pause (<see cref="PartitionFlowState.NextPauseChange"/>).</summary>
internal enum PauseChange
{
    /// <summary>Its pause already matches what it wants.</summary>
    None,

    /// <summary>It wants a pause it does not have.</summary>
    Pause,

    /// <summary>It is paused and no longer wants to be.</summary>
    Resume,
}

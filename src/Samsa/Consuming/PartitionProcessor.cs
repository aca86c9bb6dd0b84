using System.Diagnostics;
using System.Runtime.CompilerServices;
using Confluent.Kafka;

using Samsa.Diagnostics;

namespace Samsa.Consuming;

/// <summary>
/// The records of one assigned partition, handled one after another in offset order on the thread pool, while other
/// partitions' processors run concurrently. The poll thread stages records and hands them over in batches (when a batch
/// is full or librdkafka has nothing more ready); the processor runs while it has records and returns its thread when
/// the queue is empty. Both sides move records in batches, so a partition that keeps up costs one lock and at most one
/// thread-pool wake per batch rather than per record.
/// </summary>
/// <remarks>
/// <para>
/// Backpressure: when <see cref="MaxInFlight"/> records are waiting, the poll thread waits briefly
/// (<see cref="ConsumerDefaults.BackpressureWait"/>) for half of them to be handled, and pauses the partition if they are
/// not; the processor asks for it to resume once half of them are handled. A handler whose dependency is down pauses it too.
/// </para>
/// <para>
/// Stop (revoke, shutdown): the queue is dropped, waits (backoff, retry-topic due times, probes) end at once, and the
/// record in progress may finish; <see cref="Abort"/> also cancels the handler's token. Nothing dropped is marked
/// handled, so it is not committed and the partition's next owner reads it again.
/// </para>
/// </remarks>
internal sealed partial class PartitionProcessor : IThreadPoolWorkItem, IDisposable
{
    private const int BatchSize = 64;

    private readonly RecordPipeline _pipeline;
    private readonly Action _pauseChanged;
    private readonly Action _resume;
    private readonly Lock _lock = new();
    private readonly Queue<PendingRecord> _queue = new();
    private readonly PendingRecord[] _batch = new PendingRecord[BatchSize];
    private readonly List<PendingRecord> _staged = new(BatchSize);
    private readonly CancellationTokenSource _drain = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _running;
    private volatile bool _stopped;
    private volatile bool _discarded;
    private long _firstOffset = -1;
    private int _pending;
    private int _backpressure;
    private int _dependencyDown;
    private int _blocked;
    private long _currentReceived;
    private bool _pauseApplied;
    private int _index;
    private int _count;
    private int _handledInBatch;
    private ManualResetEventSlim? _room;
    private int _roomWanted;
    private ConfiguredValueTaskAwaitable<bool>.ConfiguredValueTaskAwaiter _awaiter;

    public PartitionProcessor(TopicPartition topicPartition, int retryLevel, RecordPipeline pipeline, int maxInFlight, Action pauseChanged)
    {
        TopicPartition = topicPartition;
        Topic = topicPartition.Topic;
        Partition = topicPartition.Partition.Value;
        RetryLevel = retryLevel;
        MaxInFlight = maxInFlight;
        ResumeAt = maxInFlight / 2;
        _pipeline = pipeline;
        _pauseChanged = pauseChanged;
        _resume = () => Drive(resumed: true);
        Context = pipeline.CreateContext();
        Consumed = pipeline.ConsumedCountFor(topicPartition);
        Concurrency = pipeline.ConcurrencyFor(retryLevel);
        _batchSize = pipeline.BatchSizeFor(retryLevel);
        if (Concurrency > 1)
        {
            _laneSlots = new SemaphoreSlim(Concurrency, Concurrency);
        }
    }

    /// <summary>How many of this partition's records may run at once (keyed mode when more than 1).</summary>
    public int Concurrency { get; }

    /// <summary>The partition's consumed-messages total, when the host has metrics.</summary>
    public ConsumedCount? Consumed { get; }

    public TopicPartition TopicPartition { get; }

    public string Topic { get; }

    public int Partition { get; }

    /// <summary>0 for the source topic, n for its n-th retry topic.</summary>
    public int RetryLevel { get; }

    public int MaxInFlight { get; }

    /// <summary>A partition paused for backpressure resumes when this few records are waiting.</summary>
    public int ResumeAt { get; }

    public OffsetTracker Offsets { get; } = new();

    /// <summary>The handler's context, reused for this partition's records (they are handled one at a time).</summary>
    public ConsumeContext Context { get; }

    /// <summary>Cancelled when the partition stops: ends waits, not the handler call in progress.</summary>
    public CancellationToken DrainToken => _drain.Token;

    /// <summary>The token the handler gets; cancelled by <see cref="Abort"/>.</summary>
    public CancellationToken HandlerToken => _abort.Token;

    /// <summary>True once <see cref="Stop"/> was called.</summary>
    public bool IsStopping => _stopped;

    /// <summary>
    /// Exactly-once mode: true once the transaction holding this partition's handled records was aborted. Nothing more
    /// of it enters a transaction; the worker replaces the processor and seeks back to <see cref="RewindOffset"/>.
    /// </summary>
    public bool Discarded => _discarded;

    /// <summary>Where to read again after an abort: the last committed offset, or the first record this processor got (poll thread).</summary>
    public long RewindOffset => Offsets.Committed >= 0 ? Offsets.Committed : _firstOffset;

    /// <summary>Records enqueued and not yet handled.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>True while the partition waits for backpressure to ease.</summary>
    public bool Backpressured => Volatile.Read(ref _backpressure) != 0;

    /// <summary>True while the handler's dependency is down.</summary>
    public bool DependencyDown => Volatile.Read(ref _dependencyDown) != 0;

    /// <summary>True while a dead letter or retry copy of this partition cannot be written.</summary>
    public bool Blocked => Volatile.Read(ref _blocked) != 0;

    /// <summary>Whether the partition should be paused now.</summary>
    public bool WantsPause => Backpressured || DependencyDown;

    /// <summary>Whether the poll thread has paused it (written by the poll thread only).</summary>
    public bool PauseApplied
    {
        get => Volatile.Read(ref _pauseApplied);
        set => Volatile.Write(ref _pauseApplied, value);
    }

    /// <summary>The time (<see cref="TimeProvider.GetTimestamp"/>) the record in progress was fetched, or 0 when idle.</summary>
    public long OldestReceived => Volatile.Read(ref _currentReceived);

    /// <summary>True while the poll thread holds records for this partition that it has not handed over yet.</summary>
    public bool HasStaged => _staged.Count > 0;

    /// <summary>
    /// Holds a fetched record on the poll thread until <see cref="Flush"/> (poll thread). Returns true when the held
    /// records should be handed over now: a whole batch, or enough to reach <see cref="MaxInFlight"/>.
    /// </summary>
    public bool Stage(ConsumeResult<byte[]?, byte[]?> record, long receivedTimestamp)
    {
        _staged.Add(new PendingRecord(record, receivedTimestamp));
        return _staged.Count >= BatchSize || Pending + _staged.Count >= MaxInFlight;
    }

    /// <summary>
    /// Hands the held records to the processor, starting it if it is idle (poll thread): one lock and at most one
    /// thread-pool wake per batch. Returns how many records are now waiting.
    /// </summary>
    public int Flush()
    {
        var count = _staged.Count;
        bool start;
        lock (_lock)
        {
            if (_stopped)
            {
                _staged.Clear();
                return 0;
            }

            if (_firstOffset < 0 && _staged.Count > 0)
            {
                _firstOffset = _staged[0].Record.Offset.Value;
            }

            foreach (var item in _staged)
            {
                _queue.Enqueue(item);
            }

            start = !_running;
            _running = true;
            _more?.TrySetResult();
        }

        _staged.Clear();
        var pending = Interlocked.Add(ref _pending, count);
        if (start)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        return pending;
    }

    /// <summary>
    /// Waits on the poll thread, up to <paramref name="limit"/>, until no more than <see cref="ResumeAt"/> records wait.
    /// False when they still do, when a whole <paramref name="progressLimit"/> passed without a batch being handled (a
    /// slow or stuck handler is paused at once rather than holding up the other partitions), or when the partition
    /// stopped: then the partition is paused.
    /// </summary>
    public bool WaitForRoom(TimeSpan limit, TimeSpan progressLimit)
    {
        var pending = Pending;
        if (pending <= ResumeAt)
        {
            return true;
        }

        // Blocks rather than spins: on a small machine the processor needs the core this thread would burn.
        var room = _room ??= new ManualResetEventSlim(initialState: false, spinCount: 1);
        room.Reset();
        Interlocked.Exchange(ref _roomWanted, 1);
        try
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                var remaining = limit - Stopwatch.GetElapsedTime(started);
                if (_stopped || remaining <= TimeSpan.Zero)
                {
                    return false;
                }

                room.Wait(remaining < progressLimit ? remaining : progressLimit);
                room.Reset();
                var now = Pending;
                if (now <= ResumeAt)
                {
                    return true;
                }

                if (now >= pending)
                {
                    return false;
                }

                pending = now;
            }
        }
        finally
        {
            Volatile.Write(ref _roomWanted, 0);
        }
    }

    /// <summary>Marks the partition as behind (poll thread); it is paused until the processor catches up.</summary>
    public void SetBackpressure() => Volatile.Write(ref _backpressure, 1);

    /// <summary>Clears backpressure when the processor has caught up (poll thread, for the case where it caught up before the mark).</summary>
    public void ClearBackpressureIfCaughtUp()
    {
        if (Backpressured && Pending <= ResumeAt)
        {
            Volatile.Write(ref _backpressure, 0);
        }
    }

    /// <summary>
    /// Marks the handler's dependency as down or back; the poll thread pauses or resumes the partition. Returns whether
    /// it changed: with keyed concurrency several lanes may race, and only the one that changed it counts it.
    /// </summary>
    public bool SetDependencyDown(bool down)
    {
        if (Interlocked.Exchange(ref _dependencyDown, down ? 1 : 0) != (down ? 1 : 0))
        {
            _pauseChanged();
            return true;
        }

        return false;
    }

    /// <summary>Marks the partition as blocked (or not) on a write it must make before it moves on. Returns whether it changed.</summary>
    public bool SetBlocked(bool blocked) => Interlocked.Exchange(ref _blocked, blocked ? 1 : 0) != (blocked ? 1 : 0);

    /// <summary>
    /// Stops taking records: drops the queue and ends waits. The returned task completes when the record in progress
    /// (if any) is done.
    /// </summary>
    public Task Stop()
    {
        lock (_lock)
        {
            _stopped = true;
            _queue.Clear();
            _more?.TrySetResult();
            if (!_running && _activeLanes == 0)
            {
                _idle.TrySetResult();
            }
        }

        // Asynchronously, so that no continuation of the processor runs on the calling (poll) thread.
        _ = _drain.CancelAsync();
        return _idle.Task;
    }

    /// <summary>Marks the partition's work as thrown away by an aborted transaction (under the transaction's gate), then stops it.</summary>
    public Task Discard()
    {
        _discarded = true;
        return Stop();
    }

    /// <summary>Cancels the handler call in progress.</summary>
    public void Abort()
    {
        if (!_abort.IsCancellationRequested)
        {
            _ = _abort.CancelAsync();
        }
    }

    /// <summary>Releases the cancellation sources once the processor is idle (a handler still running after an abort keeps them).</summary>
    public void Dispose()
    {
        if (_idle.Task.IsCompleted)
        {
            _drain.Dispose();
            _abort.Dispose();
            _room?.Dispose();
            _laneSlots?.Dispose();
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        if (_batchSize > 0)
        {
            _ = RunBatchesAsync();
        }
        else if (Concurrency > 1)
        {
            _ = DispatchKeyedAsync();
        }
        else
        {
            Drive(resumed: false);
        }
    }

    /// <summary>
    /// Runs records until the queue is empty or a record's processing has to wait. A record that completes at once
    /// (the usual case: the handler returned a completed task) costs no allocation; one that waits resumes here on
    /// the thread that completed it.
    /// </summary>
    private void Drive(bool resumed)
    {
        try
        {
            if (resumed)
            {
                var handled = _awaiter.GetResult();
                _awaiter = default;
                Completed(handled);
            }

            while (true)
            {
                if (_index >= _count || _stopped)
                {
                    EndBatch();
                    if (!TakeBatch())
                    {
                        return;
                    }
                }

                var item = _batch[_index];
                Volatile.Write(ref _currentReceived, item.ReceivedTimestamp);
                var processing = _pipeline.ProcessAsync(this, item.Record);
                if (!processing.IsCompleted)
                {
                    _awaiter = processing.ConfigureAwait(false).GetAwaiter();
                    _awaiter.UnsafeOnCompleted(_resume);
                    return;
                }

                Completed(processing.GetAwaiter().GetResult());
            }
        }
        catch (Exception exception)
        {
            EndBatch();
            Fault(exception);
        }
    }

    /// <summary>The record at <see cref="_index"/> is done: handled (its offset may be committed), or left because the partition stopped.</summary>
    private void Completed(bool handled)
    {
        if (!handled)
        {
            // The partition stopped: the rest of the batch is dropped with it.
            _index = _count;
            return;
        }

        Offsets.MarkHandled(_batch[_index].Record.Offset.Value);
        _batch[_index] = default;
        _index++;
        _handledInBatch++;
    }

    /// <summary>Moves up to <see cref="BatchSize"/> queued records into the batch; false (and idle) when there are none or the partition stopped.</summary>
    private bool TakeBatch()
    {
        lock (_lock)
        {
            if (_stopped || _queue.Count == 0)
            {
                _running = false;
                if (_stopped)
                {
                    _idle.TrySetResult();
                }

                return false;
            }

            _count = Math.Min(_queue.Count, BatchSize);
            for (var i = 0; i < _count; i++)
            {
                _batch[i] = _queue.Dequeue();
            }

            _index = 0;
            return true;
        }
    }

    /// <summary>Ends the batch: what it handled leaves <see cref="Pending"/> at once (one atomic per batch, not per record).</summary>
    private void EndBatch()
    {
        if (_handledInBatch > 0)
        {
            Release(_handledInBatch);
            _handledInBatch = 0;
        }

        Array.Clear(_batch, 0, _count);
        _index = 0;
        _count = 0;
        Volatile.Write(ref _currentReceived, 0);
    }

    /// <summary>Records that <paramref name="handled"/> records left <see cref="Pending"/>: wakes the poll thread's wait for room and ends backpressure once half are done.</summary>
    private void Release(int handled)
    {
        var pending = Interlocked.Add(ref _pending, -handled);
        if (pending <= ResumeAt)
        {
            if (Volatile.Read(ref _roomWanted) != 0)
            {
                _room!.Set();
            }

            if (Volatile.Read(ref _backpressure) != 0)
            {
                Volatile.Write(ref _backpressure, 0);
                _pauseChanged();
            }
        }
    }

    /// <summary>Stops the partition after a failure outside any handler call (a bug) and reports it: the worker faults.</summary>
    private void Fault(Exception exception)
    {
        lock (_lock)
        {
            _stopped = true;
            _running = false;
            _queue.Clear();
            if (_activeLanes == 0)
            {
                _idle.TrySetResult();
            }
        }

        _pipeline.PartitionFaulted(this, exception);
    }

    /// <summary>A fetched record and when it was fetched.</summary>
    private readonly record struct PendingRecord(ConsumeResult<byte[]?, byte[]?> Record, long ReceivedTimestamp);
}

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
/// Calls go one way: the worker's poll thread calls the processor (stage, flush, stop, abort), the processor calls the
/// <see cref="RecordPipeline"/> with its <see cref="PartitionFlowState"/>, and the pipeline answers with a
/// <see cref="RecordOutcome"/> that the processor acts on: it marks the record handled, drops the rest of its batch,
/// or stops itself and reports a misconfiguration. What the processing side tells the poll thread (a pause wanted, a
/// fault, a misconfiguration) it writes to the flow state or the worker's <see cref="ConsumerSignals"/>, which the poll
/// thread reads on its next loop iteration; nothing calls back into the worker.
/// </para>
/// <para>
/// Backpressure: when <see cref="MaxInFlight"/> records are waiting, the poll thread waits briefly
/// (<see cref="ConsumerDefaults.BackpressureWait"/>) for half of them to be handled, and pauses the partition if they are
/// not; once half of them are handled the processor raises <see cref="ConsumerSignals.RaisePauseChange"/> and the poll
/// thread resumes it. A handler whose dependency is down pauses it too (<see cref="PartitionFlowState.DependencyDown"/>).
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
    private readonly ConsumerSignals _signals;
    private readonly Action _resume;
    private readonly Lock _lock = new();
    private readonly Queue<PendingRecord> _queue = new();
    private readonly PendingRecord[] _batch = new PendingRecord[BatchSize];
    private readonly List<PendingRecord> _staged = new(BatchSize);
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _running;
    private long _firstOffset = -1;
    private int _pending;
    private long _currentReceived;
    private int _index;
    private int _count;
    private int _handledInBatch;
    private ManualResetEventSlim? _room;
    private int _roomWanted;
    private ConfiguredValueTaskAwaitable<RecordOutcome>.ConfiguredValueTaskAwaiter _awaiter;

    public PartitionProcessor(TopicPartition topicPartition, int retryLevel, RecordPipeline pipeline, int maxInFlight, ConsumerSignals signals)
    {
        Flow = new PartitionFlowState(topicPartition, retryLevel, signals);
        Topic = topicPartition.Topic;
        Partition = topicPartition.Partition.Value;
        MaxInFlight = maxInFlight;
        ResumeAt = maxInFlight / 2;
        _pipeline = pipeline;
        _signals = signals;
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

    /// <summary>What this processor shares with the pipeline and the poll thread: stop, offsets, pause flags.</summary>
    public PartitionFlowState Flow { get; }

    public TopicPartition TopicPartition => Flow.TopicPartition;

    public string Topic { get; }

    public int Partition { get; }

    /// <summary>0 for the source topic, n for its n-th retry topic.</summary>
    public int RetryLevel => Flow.RetryLevel;

    public int MaxInFlight { get; }

    /// <summary>A partition paused for backpressure resumes when this few records are waiting.</summary>
    public int ResumeAt { get; }

    public OffsetTracker Offsets => Flow.Offsets;

    /// <summary>The handler's context, reused for this partition's records (they are handled one at a time).</summary>
    public ConsumeContext Context { get; }

    /// <summary>True once <see cref="Stop"/> was called (or the processor stopped itself).</summary>
    public bool IsStopping => Flow.IsStopping;

    /// <summary>
    /// Exactly-once mode: true once the transaction holding this partition's handled records was aborted. Nothing more
    /// of it enters a transaction; the worker replaces the processor and seeks back to <see cref="RewindOffset"/>.
    /// </summary>
    public bool Discarded => Flow.Discarded;

    /// <summary>Where to read again after an abort: the last committed offset, or the first record this processor got (poll thread).</summary>
    public long RewindOffset => Offsets.Committed >= 0 ? Offsets.Committed : _firstOffset;

    /// <summary>Records enqueued and not yet handled.</summary>
    public int Pending => Volatile.Read(ref _pending);

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
            if (Flow.IsStopping)
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
                if (Flow.IsStopping || remaining <= TimeSpan.Zero)
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

    /// <summary>Poll thread: whether the partition must be paused or resumed now (see <see cref="PartitionFlowState.NextPauseChange"/>).</summary>
    public PauseChange NextPauseChange() => Flow.NextPauseChange(Pending, ResumeAt);

    /// <summary>
    /// Stops taking records: drops the queue and ends waits. The returned task completes when the record in progress
    /// (if any) is done.
    /// </summary>
    public Task Stop()
    {
        lock (_lock)
        {
            Flow.MarkStopping();
            _queue.Clear();
            _more?.TrySetResult();
            if (!_running && _activeLanes == 0)
            {
                _idle.TrySetResult();
            }
        }

        // Asynchronously, so that no continuation of the processor runs on the calling (poll) thread.
        Flow.CancelWaits();
        return _idle.Task;
    }

    /// <summary>Marks the partition's work as thrown away by an aborted transaction (under the transaction's gate), then stops it.</summary>
    public Task Discard()
    {
        Flow.MarkDiscarded();
        return Stop();
    }

    /// <summary>Cancels the handler call in progress.</summary>
    public void Abort() => Flow.CancelHandler();

    /// <summary>Releases the cancellation sources once the processor is idle (a handler still running after an abort keeps them).</summary>
    public void Dispose()
    {
        if (_idle.Task.IsCompleted)
        {
            Flow.Dispose();
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
                if (_index >= _count || Flow.IsStopping)
                {
                    EndBatch();
                    if (!TakeBatch())
                    {
                        return;
                    }
                }

                var item = _batch[_index];
                Volatile.Write(ref _currentReceived, item.ReceivedTimestamp);
                Consumed?.Increment();
                var processing = _pipeline.ProcessAsync(Flow, item.Record, Context);
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
    private void Completed(RecordOutcome outcome)
    {
        if (!outcome.IsDone)
        {
            // The partition stopped (or stops now): the rest of the batch is dropped with it.
            StopIfMisconfigured(outcome);
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
            if (Flow.IsStopping || _queue.Count == 0)
            {
                _running = false;
                if (Flow.IsStopping)
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

    /// <summary>
    /// Records that <paramref name="handled"/> records left <see cref="Pending"/>: wakes the poll thread's wait for room,
    /// and once half are done signals it to end backpressure (it clears the flag and resumes the partition).
    /// </summary>
    private void Release(int handled)
    {
        var pending = Interlocked.Add(ref _pending, -handled);
        if (pending <= ResumeAt)
        {
            if (Volatile.Read(ref _roomWanted) != 0)
            {
                _room!.Set();
            }

            if (Flow.Backpressured)
            {
                _signals.RaisePauseChange();
            }
        }
    }

    /// <summary>
    /// Acts on a <see cref="RecordOutcomeKind.Misconfigured"/> outcome: stops the partition where it is (the record and
    /// those after it stay uncommitted), then reports the misconfiguration, which stops the worker.
    /// </summary>
    private void StopIfMisconfigured(RecordOutcome outcome)
    {
        if (outcome.Misconfiguration is { } misconfiguration)
        {
            Stop();
            _signals.ReportMisconfiguration(misconfiguration);
        }
    }

    /// <summary>Stops the partition after a failure outside any handler call (a bug) and reports it: the worker faults.</summary>
    private void Fault(Exception exception)
    {
        lock (_lock)
        {
            Flow.MarkStopping();
            _running = false;
            _queue.Clear();
            if (_activeLanes == 0)
            {
                _idle.TrySetResult();
            }
        }

        _signals.ReportFault(exception);
    }

    /// <summary>A fetched record and when it was fetched.</summary>
    private readonly record struct PendingRecord(ConsumeResult<byte[]?, byte[]?> Record, long ReceivedTimestamp);
}

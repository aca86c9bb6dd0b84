using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>
/// Keyed mode (<see cref="ConsumerOptions.MaxConcurrencyPerPartition"/> above 1): the queue is dispatched in offset
/// order into lanes, one per key in progress, at most <see cref="Concurrency"/> lanes at once. A lane runs its key's
/// records one after another, so records with the same key never overlap and keep their order; records without a key
/// share one lane. Every dispatched record is registered with <see cref="OffsetTracker.Begin"/>, so the committed
/// offset stops at the lowest unfinished one.
/// </summary>
internal sealed partial class PartitionProcessor
{
    private readonly SemaphoreSlim? _laneSlots;
    private readonly Dictionary<byte[], Lane> _lanes = new(RecordKeyComparer.Instance);
    private int _activeLanes;

    /// <summary>Takes queued records in offset order and hands each to its key's lane, waiting for a free lane when all are busy.</summary>
    private async Task DispatchKeyedAsync()
    {
        try
        {
            while (true)
            {
                PendingRecord item;
                Lane? lane;
                byte[] key;
                lock (_lock)
                {
                    if (Flow.IsStopping || _queue.Count == 0)
                    {
                        _running = false;
                        if (Flow.IsStopping && _activeLanes == 0)
                        {
                            _idle.TrySetResult();
                        }

                        return;
                    }

                    item = _queue.Dequeue();
                    key = RecordKeyComparer.KeyOf(item.Record.Message.Key);
                    if (_lanes.TryGetValue(key, out lane))
                    {
                        // The key is in progress: its lane takes the record after the ones it has.
                        Offsets.Begin(item.Record.Offset.Value);
                        lane.Queue.Enqueue(item.Record);
                        continue;
                    }
                }

                try
                {
                    await _laneSlots!.WaitAsync(Flow.DrainToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped while every lane was busy: the record is dropped with the queue, uncommitted.
                    continue;
                }

                lock (_lock)
                {
                    if (Flow.IsStopping)
                    {
                        _laneSlots.Release();
                        continue;
                    }

                    Offsets.Begin(item.Record.Offset.Value);
                    lane = new Lane(_pipeline.CreateContext());
                    lane.Queue.Enqueue(item.Record);
                    _lanes.Add(key, lane);
                    _activeLanes++;
                    if (Volatile.Read(ref _currentReceived) == 0)
                    {
                        Volatile.Write(ref _currentReceived, item.ReceivedTimestamp);
                    }
                }

                var started = lane;
                var laneKey = key;
                _ = Task.Run(() => RunLaneAsync(laneKey, started));
            }
        }
        catch (Exception exception)
        {
            Fault(exception);
        }
    }

    /// <summary>Runs one key's records in offset order until its lane is empty, then frees the lane.</summary>
    private async Task RunLaneAsync(byte[] key, Lane lane)
    {
        try
        {
            while (true)
            {
                ConsumeResult<byte[]?, byte[]?> record;
                lock (_lock)
                {
                    if (Flow.IsStopping || lane.Queue.Count == 0)
                    {
                        lane.Queue.Clear();
                        _lanes.Remove(key);
                        _activeLanes--;
                        _laneSlots!.Release();
                        if (_activeLanes == 0)
                        {
                            Volatile.Write(ref _currentReceived, 0);
                            if (Flow.IsStopping && !_running)
                            {
                                _idle.TrySetResult();
                            }
                        }

                        return;
                    }

                    record = lane.Queue.Dequeue();
                }

                Consumed?.Increment();
                var outcome = await _pipeline.ProcessAsync(Flow, record, lane.Context).ConfigureAwait(false);
                if (outcome.IsDone)
                {
                    Offsets.MarkHandled(record.Offset.Value);
                    Release(1);
                }
                else
                {
                    StopIfMisconfigured(outcome);
                }
            }
        }
        catch (Exception exception)
        {
            lock (_lock)
            {
                _lanes.Remove(key);
                _activeLanes--;
            }

            Fault(exception);
        }
    }

    /// <summary>The records of one key waiting or running, and the context its handler calls reuse.</summary>
    private sealed class Lane(ConsumeContext context)
    {
        public Queue<ConsumeResult<byte[]?, byte[]?>> Queue { get; } = new();

        public ConsumeContext Context { get; } = context;
    }
}

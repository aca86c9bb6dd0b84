using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>
/// Batch mode (a batch consumer's source-topic partitions): records are gathered into a batch until it holds
/// <see cref="ConsumerOptions.MaxBatchSize"/> records, or <see cref="ConsumerOptions.MaxBatchWait"/> passed (on the
/// worker's <see cref="TimeProvider"/>) since its first record was taken, and the batch is handed to
/// <see cref="RecordPipeline.ProcessBatchAsync"/>. Batches of one partition run one after another.
/// </summary>
internal sealed partial class PartitionProcessor
{
    private readonly int _batchSize;

    /// <summary>Completed by <see cref="Flush"/> or <see cref="Stop"/> while a batch that is not full waits for more.</summary>
    private TaskCompletionSource? _more;

    private async Task RunBatchesAsync()
    {
        var batch = new List<ConsumeResult<byte[]?, byte[]?>>(_batchSize);
        long deadline = 0;
        var time = _pipeline.TimeProvider;
        try
        {
            while (true)
            {
                Task? more = null;
                lock (_lock)
                {
                    if (Flow.IsStopping || (_queue.Count == 0 && batch.Count == 0))
                    {
                        _running = false;
                        _more = null;
                        if (Flow.IsStopping)
                        {
                            _idle.TrySetResult();
                        }

                        return;
                    }

                    while (batch.Count < _batchSize && _queue.TryDequeue(out var item))
                    {
                        if (batch.Count == 0)
                        {
                            deadline = time.GetTimestamp() + (long)(_pipeline.MaxBatchWait.TotalSeconds * time.TimestampFrequency);
                            Volatile.Write(ref _currentReceived, item.ReceivedTimestamp);
                        }

                        batch.Add(item.Record);
                    }

                    if (batch.Count < _batchSize && time.GetTimestamp() < deadline)
                    {
                        _more = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        more = _more.Task;
                    }
                }

                if (more is not null)
                {
                    // Not full yet: wait for the next flush or the batch's deadline, whichever comes first.
                    var remaining = TimeSpan.FromSeconds((double)(deadline - time.GetTimestamp()) / time.TimestampFrequency);
                    if (remaining > TimeSpan.Zero)
                    {
                        using var timeout = new CancellationTokenSource(remaining, time);
                        await Task.WhenAny(more, Task.Delay(Timeout.Infinite, timeout.Token)).ConfigureAwait(false);
                    }

                    continue;
                }

                var count = batch.Count;
                if (Consumed is { } consumed)
                {
                    for (var i = 0; i < count; i++)
                    {
                        consumed.Increment();
                    }
                }

                var outcome = await _pipeline.ProcessBatchAsync(Flow, batch, Context).ConfigureAwait(false);
                batch.Clear();
                Volatile.Write(ref _currentReceived, 0);
                if (outcome.IsDone)
                {
                    Release(count);
                }
                else
                {
                    StopIfMisconfigured(outcome);
                }
            }
        }
        catch (Exception exception)
        {
            Fault(exception);
        }
    }
}

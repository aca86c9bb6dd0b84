using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Samsa.Consuming.ExactlyOnce;
using Samsa.Consuming.Retry;
using Samsa.Diagnostics;

namespace Samsa.Consuming;

/// <summary>The failure paths: dead letters, retry topics and dependencies that are down.</summary>
internal sealed partial class RecordPipeline
{
    /// <summary>Writes the dead letter, again and again until it is written or the partition stops.</summary>
    private async ValueTask<RecordOutcome> DeadLetterAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, FailureHistory history, string reason)
    {
        var written = _transaction is not null
            ? RecordOutcome.From(await _transaction.CompleteAsync(partition, record, [new TopicPartition(_deadLetters.Topic, Partition.Any)], [DeadLetter.DeadLetterWriter.Build(record, history, reason, _groupId)], RecordDisposition.DeadLettered).ConfigureAwait(false))
            : await ForwardAsync(
                partition,
                record,
                _deadLetters.Topic,
                token => _deadLetters.WriteAsync(record, history, reason, token)).ConfigureAwait(false);
        if (written.IsDone)
        {
            if (_transaction is null)
            {
                _counters.RecordDeadLettered();
            }

            _metrics?.RecordDeadLettered(record.Topic, _groupId, reason);
            TagForwarded(_deadLetters.Topic, reason, history.LastExceptionType);
            Log.DeadLettered(_logger, record.Topic, record.Partition.Value, record.Offset.Value, _deadLetters.Topic, reason, history.Attempts, history.LastExceptionType ?? "-");
        }

        return written;
    }

    /// <summary>Writes the retry copy to the topic of <paramref name="level"/>, again and again until it is written or the partition stops.</summary>
    private async ValueTask<RecordOutcome> ForwardToRetryAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, FailureHistory history, int level)
    {
        var topic = RetryTopicNames.Retry(_sourceTopic, level);
        var written = _transaction is not null
            ? RecordOutcome.From(await _transaction.CompleteAsync(partition, record, [new TopicPartition(topic, Partition.Any)], [_retries!.Build(record, history, level, _timeProvider.GetUtcNow())], RecordDisposition.Forwarded).ConfigureAwait(false))
            : await ForwardAsync(
                partition,
                record,
                topic,
                token => _retries!.WriteAsync(record, history, level, _timeProvider.GetUtcNow(), token)).ConfigureAwait(false);
        if (written.IsDone)
        {
            if (_transaction is null)
            {
                _counters.RecordForwarded();
            }

            _metrics?.RecordForwarded(record.Topic, _groupId, level);
            TagForwarded(topic, null, null);
            Log.ForwardedToRetryTopic(_logger, record.Topic, record.Partition.Value, record.Offset.Value, topic, _retries!.Delays[level - 1], history.Attempts);
        }

        return written;
    }

    /// <summary>Notes on the record's process span, when there is one, where the record went (and, for a dead letter, why).</summary>
    private static void TagForwarded(string target, string? deadLetterReason, string? errorType)
    {
        if (System.Diagnostics.Activity.Current is { IsAllDataRequested: true } activity
            && ReferenceEquals(activity.Source, SamsaActivitySource.Source) && activity.Kind == System.Diagnostics.ActivityKind.Consumer)
        {
            activity.SetTag(SamsaActivitySource.ForwardedToTag, target);
            if (deadLetterReason is not null)
            {
                activity.SetTag(SamsaInstruments.Attributes.DeadLetterReason, deadLetterReason);
                activity.SetTag(SamsaInstruments.Attributes.ErrorType, errorType ?? deadLetterReason);
                activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "dead-lettered: " + deadLetterReason);
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="write"/> again and again with backoff until it succeeds (done) or the partition stops
    /// (stopped). While it fails the partition is marked <see cref="PartitionFlowState.Blocked"/> and counted as blocked.
    /// </summary>
    private async ValueTask<RecordOutcome> ForwardAsync(
        PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, string target, Func<CancellationToken, Task> write)
    {
        var failures = 0;
        try
        {
            while (true)
            {
                try
                {
                    // The write itself is not cancelled by a stop: once handed to the producer it may land anyway,
                    // and finishing it spares the next owner a duplicate.
                    await write(CancellationToken.None).ConfigureAwait(false);
                    return RecordOutcome.Done;
                }
                catch (Exception exception)
                {
                    failures++;
                    if (partition.SetBlocked(true))
                    {
                        _counters.AddBlocked(1);
                    }

                    var error = exception is ProduceException<byte[]?, byte[]?> produce
                        ? $"{produce.Error.Code}: {produce.Error.Reason}"
                        : exception.Message;
                    _counters.RecordForwardError($"{target}: {error}");
                    var delay = Backoff.Exponential(_options.ForwardBackoff, _options.ForwardMaxBackoff, failures, ConsumerDefaults.RetryJitter, _random());
                    Log.ForwardFailed(_logger, exception, record.Topic, record.Partition.Value, record.Offset.Value, target, failures, delay);
                    if (!await WaitAsync(delay, partition).ConfigureAwait(false))
                    {
                        return RecordOutcome.Stopped;
                    }
                }
            }
        }
        finally
        {
            if (partition.SetBlocked(false))
            {
                _counters.AddBlocked(-1);
            }
        }
    }

    /// <summary>
    /// Pauses the partition (through <see cref="PartitionFlowState.DependencyDown"/>, which the poll thread reads) and probes the dependency every interval until it is back (true), or the partition stops
    /// (false). Without a probe, the record itself is the probe: true after one interval.
    /// </summary>
    private async ValueTask<bool> WaitForDependencyAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, Exception exception)
    {
        if (partition.SetDependencyDown(true))
        {
            _counters.AddDependencyDown(1);
            Log.DependencyDown(_logger, exception, record.Topic, record.Partition.Value, record.Offset.Value, _options.DependencyProbeInterval);
        }

        var probe = _options.DependencyProbe;
        var back = false;
        try
        {
            while (!back)
            {
                if (!await WaitAsync(_options.DependencyProbeInterval, partition).ConfigureAwait(false))
                {
                    return false;
                }

                if (probe is null)
                {
                    return true;
                }

                try
                {
                    back = await probe(_services, partition.DrainToken).ConfigureAwait(false);
                }
                catch (Exception probeError) when (!partition.IsStopping)
                {
                    Log.DependencyProbeFailed(_logger, probeError, record.Topic, record.Partition.Value);
                }
                catch (Exception) when (partition.IsStopping)
                {
                    return false;
                }
            }

            Log.DependencyBack(_logger, record.Topic, record.Partition.Value);
            return true;
        }
        finally
        {
            // Without a probe the partition stays marked until the record succeeds or fails otherwise.
            if (probe is not null || partition.IsStopping)
            {
                ClearDependencyDown(partition);
            }
        }
    }

    /// <summary>
    /// Resumes a partition that was paused for its dependency (after a handler call succeeds or fails otherwise; the
    /// worker calls it too when it drops the partition), and uncounts it.
    /// </summary>
    internal void ClearDependencyDown(PartitionFlowState partition)
    {
        if (partition.DependencyDown && partition.SetDependencyDown(false))
        {
            _counters.AddDependencyDown(-1);
        }
    }
}

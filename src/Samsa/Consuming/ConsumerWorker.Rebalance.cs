using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Samsa.Consuming.ExactlyOnce;
using Samsa.Consuming.Retry;
using Samsa.Diagnostics;

namespace Samsa.Consuming;

/// <summary>Building the consumer, rebalances, commits and the two ways to stop (shutdown and crash).</summary>
public sealed partial class ConsumerWorker
{
    /// <summary>How long cancelled handler calls get to notice before the worker moves on without them.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = _consumerConfig();
        _groupInstanceId = config.GroupInstanceId;
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .WithStatistics(config, _metrics?.ClientStatistics)
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal)
                {
                    RecordFatalError(error);
                }

                PostClientEvent(new ClientEvent(LogLevel.Warning, "error", error.Code, error.IsFatal, error.Reason));
            })
            .SetLogHandler((_, message) => PostClientEvent(new ClientEvent(ToLogLevel(message.Level), message.Facility, null, false, message.Message)))
            .Build();
    }

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        if (_crashed || _crashRequested)
        {
            return;
        }

        foreach (var partition in partitions)
        {
            if (_processors.ContainsKey(partition))
            {
                continue;
            }

            var level = Math.Max(0, RetryTopicNames.LevelOf(partition.Topic, _options.Topic));
            _processors[partition] = new PartitionProcessor(partition, level, _pipeline!, _options.MaxInFlightPerPartition, _signals);
        }

        PublishProcessors();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var shown = Describe(partitions);
            Log.PartitionsAssigned(_logger, _options.GroupId, shown);
        }
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        if (_crashed || _crashRequested)
        {
            return;
        }

        var revoked = partitions.Select(p => _processors.GetValueOrDefault(p.TopicPartition)).OfType<PartitionProcessor>().ToList();
        if (revoked.Count == 0)
        {
            return;
        }

        var committed = DrainAndRemove(consumer, revoked, _options.RevokeTimeout, "revoke");
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var shown = Describe(partitions.Select(p => p.TopicPartition));
            Log.PartitionsRevoked(_logger, _options.GroupId, shown, committed);
        }
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        var lost = partitions.Select(p => _processors.GetValueOrDefault(p.TopicPartition)).OfType<PartitionProcessor>().ToList();

        // Their offsets can no longer be committed, so the open transaction cannot be either.
        _transaction?.Abort([.. _processors.Values], "partitions lost");
        foreach (var processor in lost)
        {
            processor.Stop();
            processor.Abort();
            Remove(processor);
        }

        RewindDiscarded(consumer);
        PublishProcessors();
        var shown = Describe(partitions.Select(p => p.TopicPartition));
        Log.PartitionsLost(_logger, _options.GroupId, shown);
    }

    /// <summary>
    /// Stops <paramref name="processors"/>, waits at most <paramref name="timeout"/> for their records in progress
    /// (then cancels them), commits what they handled, and drops them. Returns what was committed.
    /// </summary>
    private string DrainAndRemove(IConsumer<byte[]?, byte[]?> consumer, List<PartitionProcessor> processors, TimeSpan timeout, string why)
    {
        var idle = processors.Select(p => p.Stop()).ToArray();
        if (!Task.WaitAll(idle, timeout))
        {
            var busy = processors.Where((_, i) => !idle[i].IsCompleted).ToList();
            var shown = Describe(busy.Select(p => p.TopicPartition));
            Log.DrainTimedOut(_logger, shown, timeout, why);
            busy.ForEach(p => p.Abort());
            Task.WaitAll(idle, AbortGrace);
        }

        var committed = _transaction is null ? Commit(consumer, processors, why) : CommitTransaction(consumer, processors);
        foreach (var processor in processors)
        {
            Remove(processor);
        }

        RewindDiscarded(consumer);
        PublishProcessors();
        return committed;
    }

    private void Remove(PartitionProcessor processor)
    {
        _processors.Remove(processor.TopicPartition);
        _pipeline?.ClearDependencyDown(processor.Flow);
        processor.Dispose();
    }

    /// <summary>Commits the handled offsets of <paramref name="processors"/> that moved since their last commit. Returns what was committed.</summary>
    private string Commit(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<PartitionProcessor> processors, string why)
    {
        if (_transaction is not null)
        {
            return CommitTransaction(consumer, []);
        }

        List<(PartitionProcessor Processor, long Offset)>? pending = null;
        foreach (var processor in processors)
        {
            if (processor.Offsets.Committable() is { } offset)
            {
                (pending ??= []).Add((processor, offset));
            }
        }

        if (pending is null)
        {
            return "nothing new";
        }

        var offsets = pending.Select(p => new TopicPartitionOffset(p.Processor.TopicPartition, p.Offset)).ToList();
        var shown = Describe(offsets);
        try
        {
            consumer.Commit(offsets);
            pending.ForEach(p => p.Processor.Offsets.MarkCommitted(p.Offset));
            _snapshot = _snapshot with { LastCommit = _timeProvider.GetUtcNow() };
            Log.OffsetsCommitted(_logger, _options.GroupId, shown);
            return shown;
        }
        catch (TopicPartitionOffsetException exception)
        {
            foreach (var result in exception.Results.Where(r => r.Error.Code == ErrorCode.NoError))
            {
                pending.FirstOrDefault(p => p.Processor.TopicPartition == result.TopicPartition).Processor?.Offsets.MarkCommitted(result.Offset.Value);
            }

            var failed = exception.Results.Where(r => r.Error.Code != ErrorCode.NoError).Select(r => $"{r.TopicPartition}: {r.Error.Code}");
            Log.CommitFailed(_logger, _options.GroupId, shown, string.Join(", ", failed));
            return $"{shown} (partly failed)";
        }
        catch (KafkaException exception)
        {
            Log.CommitFailed(_logger, _options.GroupId, shown, $"{exception.Error.Code}: {exception.Error.Reason} ({why})");
            return $"nothing ({exception.Error.Code})";
        }
    }

    /// <summary>
    /// Exactly-once mode: commits the open transaction with the offsets of every partition (a transaction spans them
    /// all); <paramref name="retiring"/> are the partitions about to go. After an abort, <see cref="RewindDiscarded"/>
    /// must follow.
    /// </summary>
    private string CommitTransaction(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<PartitionProcessor> retiring)
    {
        var outcome = _transaction!.Commit([.. _processors.Values], retiring, consumer.ConsumerGroupMetadata, out var committed);
        switch (outcome)
        {
            case TransactionOutcome.Committed:
                _snapshot = _snapshot with { LastCommit = _timeProvider.GetUtcNow() };
                ReportTransactionBlocked(null);
                return committed;
            case TransactionOutcome.Aborted:
                ReportTransactionBlocked(_transaction.LastWriteFailure);
                return "nothing (transaction aborted)";
            default:
                return committed;
        }
    }

    /// <summary>
    /// Exactly-once mode: a write that fails aborts the transaction, and the rewound records fail it again until the
    /// write can be made, so no partition moves on (nothing is dropped). While that lasts every partition of the
    /// transaction counts as blocked, as one blocked on its dead letter does outside exactly-once mode, and the health
    /// check reports it; the next commit clears it.
    /// </summary>
    private void ReportTransactionBlocked(string? writeFailure)
    {
        var blocked = writeFailure is null ? 0 : Math.Max(1, _processors.Count);
        if (writeFailure is not null)
        {
            _counters.RecordForwardError(writeFailure);
        }

        if (blocked != _transactionBlocked)
        {
            _counters.AddBlocked(blocked - _transactionBlocked);
            _transactionBlocked = blocked;
        }
    }

    /// <summary>
    /// Exactly-once mode, after an abort: replaces every discarded processor with a fresh one and seeks its partition
    /// back to the last committed offset, so that the records whose outputs were thrown away are handled again.
    /// </summary>
    private void RewindDiscarded(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (_transaction is null)
        {
            return;
        }

        List<PartitionProcessor>? discarded = null;
        foreach (var processor in _processors.Values)
        {
            if (processor.Discarded)
            {
                (discarded ??= []).Add(processor);
            }
        }

        if (discarded is null)
        {
            return;
        }

        var idle = discarded.Select(p => p.Stop()).ToArray();
        if (!Task.WaitAll(idle, _options.RevokeTimeout))
        {
            discarded.ForEach(p => p.Abort());
            Task.WaitAll(idle, AbortGrace);
        }

        List<TopicPartition>? paused = null;
        var positions = new List<TopicPartitionOffset>(discarded.Count);
        foreach (var old in discarded)
        {
            var position = old.RewindOffset;
            Remove(old);
            var replacement = new PartitionProcessor(old.TopicPartition, old.RetryLevel, _pipeline!, _options.MaxInFlightPerPartition, _signals);
            replacement.Offsets.MarkCommitted(old.Offsets.Committed);
            _processors[old.TopicPartition] = replacement;
            if (position >= 0)
            {
                // A failed seek throws and faults the worker: reading on from here would skip the discarded records.
                consumer.Seek(new TopicPartitionOffset(old.TopicPartition, position));
                positions.Add(new TopicPartitionOffset(old.TopicPartition, position));
            }

            if (old.Flow.PauseApplied)
            {
                (paused ??= []).Add(old.TopicPartition);
            }
        }

        if (paused is not null)
        {
            consumer.Resume(paused);
        }

        PublishProcessors();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var shown = Describe(positions);
            Log.PartitionsRewound(_logger, _options.GroupId, shown);
        }
    }

    private void Shutdown(IConsumer<byte[]?, byte[]?> consumer)
    {
        _state = (int)ConsumerWorkerState.Stopping;
        var all = _processors.Values.ToList();
        var inProgress = all.Count(p => p.OldestReceived != 0 || p.Pending > 0);
        Log.ConsumerStopping(_logger, _options.Topic, _options.GroupId, _options.ShutdownTimeout, inProgress);
        DrainAndRemove(consumer, all, _options.ShutdownTimeout, "shutdown");
        try
        {
            // Leaves the group; librdkafka calls the revoke handler, which finds nothing left to commit.
            consumer.Close();
        }
        catch (KafkaException exception)
        {
            Log.ConsumeFailed(_logger, _options.Topic, -1, exception.Error.Code, $"close failed: {exception.Error.Reason}");
        }
    }

    private void CrashNow()
    {
        _crashed = true;
        foreach (var processor in _processors.Values)
        {
            processor.Stop();
            processor.Abort();
        }

        _processors.Clear();
        PublishProcessors();
        _state = (int)ConsumerWorkerState.Stopped;
        Log.ConsumerCrashed(_logger, _options.Topic, _options.GroupId);
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Topic}[{p.Partition.Value}]")));

    private static string Describe(IEnumerable<TopicPartitionOffset> offsets) =>
        string.Join(", ", offsets.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Topic}[{p.Partition.Value}]@{p.Offset.Value}")));

    private static LogLevel ToLogLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}

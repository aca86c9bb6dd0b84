using System.Diagnostics;
using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.ExactlyOnce;
using Samsa.Consuming.Retry;
using Samsa.Diagnostics;

namespace Samsa.Consuming;

/// <summary>
/// What happens to one record: skip it when it belongs to another group, wait until a retry copy is due, deserialize it
/// (a poison record goes straight to the dead-letter topic), call the handler, and on failure classify the exception
/// and retry in place, forward to the next retry topic, dead-letter it, or pause for a dependency. Returns a
/// <see cref="RecordOutcome"/>: <see cref="RecordOutcomeKind.Done"/> when the record is done with (handled, forwarded or
/// dead-lettered) and its offset may be committed; <see cref="RecordOutcomeKind.Stopped"/> when the partition stopped
/// first; <see cref="RecordOutcomeKind.Misconfigured"/> on a fatal failure, which its processor acts on.
/// </summary>
/// <remarks>
/// <para>
/// The pipeline knows one partition only through the <see cref="PartitionFlowState"/> its processor passes in: it reads
/// the stop tokens and writes the partition's <see cref="PartitionFlowState.Blocked"/> and
/// <see cref="PartitionFlowState.DependencyDown"/> flags during the long phases (a forward that keeps failing, a
/// dependency that is down), which the poll thread reads to pause the partition and the health check to report it. It
/// never calls back into the processor or the worker.
/// </para>
/// <para>
/// A record whose forward (to a retry or dead-letter topic) cannot be written is written again and again with backoff:
/// its partition does not move on, nothing past it is committed, and the worker reports unhealthy until it succeeds.
/// Nothing is dropped.
/// </para>
/// <para>
/// Exactly-once mode (<see cref="TransactionalBatch"/>): a handled record's outputs, or its dead letter or retry copy,
/// go into the open transaction together with its offset instead of being written on their own; a write that fails
/// aborts the transaction, and the record is handled again after the rewind.
/// </para>
/// </remarks>
internal sealed partial class RecordPipeline
{
    private readonly ConsumerOptions _options;
    private readonly string _groupId;
    private readonly string _sourceTopic;
    private readonly EventDispatcher _dispatcher;
    private readonly DeadLetterWriter _deadLetters;
    private readonly RetryTopicWriter? _retries;
    private readonly TransactionalBatch? _transaction;
    private readonly IRecordProducer _outputs;
    private readonly OutputMessageBuilder _outputBuilder;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _random;
    private readonly ConsumerCounters _counters;
    private readonly ConsumerMetrics? _metrics;
    private readonly ILogger _logger;

    public RecordPipeline(
        ConsumerOptions options,
        EventDispatcher dispatcher,
        DeadLetterWriter deadLetters,
        RetryTopicWriter? retries,
        TransactionalBatch? transaction,
        IRecordProducer outputs,
        OutputMessageBuilder outputBuilder,
        IServiceProvider services,
        TimeProvider timeProvider,
        Func<double> random,
        ConsumerCounters counters,
        ConsumerMetrics? metrics,
        ILogger logger)
    {
        _options = options;
        _groupId = options.GroupId;
        _sourceTopic = options.Topic;
        _dispatcher = dispatcher;
        _deadLetters = deadLetters;
        _retries = retries;
        _transaction = transaction;
        _outputs = outputs;
        _outputBuilder = outputBuilder;
        _services = services;
        _timeProvider = timeProvider;
        _random = random;
        _counters = counters;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The worker's clock (batch waits).</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Batch consumers: how long a batch that is not full waits for more records.</summary>
    public TimeSpan MaxBatchWait => _options.MaxBatchWait;

    /// <summary>How many records of a partition at <paramref name="retryLevel"/> run at once.</summary>
    public int ConcurrencyFor(int retryLevel) => _options.MaxConcurrencyPerPartition;

    /// <summary>The batch size of a partition at <paramref name="retryLevel"/>, or 0 when its records are handled one at a time (retry topics: a batch of one each).</summary>
    public int BatchSizeFor(int retryLevel) => retryLevel == 0 && _dispatcher is BatchEventDispatcher ? _options.MaxBatchSize : 0;

    /// <summary>Number of retry topics.</summary>
    public int RetryLevels => _retries?.Delays.Count ?? 0;

    /// <summary>The running consumed-messages total for a partition's processor; null when the host has no metrics.</summary>
    public ConsumedCount? ConsumedCountFor(TopicPartition topicPartition) =>
        _metrics?.ConsumedCountFor(topicPartition.Topic, _groupId, topicPartition.Partition.Value);

    /// <summary>A context for one partition's records, reused from record to record (see <see cref="ConsumeContext"/>).</summary>
    public ConsumeContext CreateContext() => new(_groupId, _sourceTopic, _transaction is not null) { Outputs = _outputBuilder };

    /// <summary>
    /// Processes one record of <paramref name="partition"/> with <paramref name="context"/> (the partition's, or in keyed
    /// mode its lane's) for the handler call; see the class remarks. A source-topic record whose handler call completes
    /// at once (the usual case; in exactly-once mode, also unless a commit holds the transaction's gate) is done here
    /// without an async state machine; everything else,
    /// from the first wait or failure on, continues in <see cref="ProcessSlowAsync"/> or <see cref="HandleAsync"/>.
    /// </summary>
    public ValueTask<RecordOutcome> ProcessAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, ConsumeContext context)
    {
        if (!_options.DisableTracing && SamsaActivitySource.HasListeners)
        {
            return ProcessTracedAsync(partition, record, context);
        }

        return ProcessUntracedAsync(partition, record, context);
    }

    /// <summary>
    /// <see cref="ProcessUntracedAsync"/> inside a <c>process {topic}</c> span, which is the current activity for the
    /// handler (so what it publishes continues the trace) and for the retry and dead-letter writes (so the copies carry it).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RecordOutcome> ProcessTracedAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, ConsumeContext context)
    {
        using var activity = SamsaActivitySource.StartProcess(record, _groupId, partition.RetryLevel, _options.ProcessSpanParent);
        var done = false;
        try
        {
            var outcome = await ProcessUntracedAsync(partition, record, context).ConfigureAwait(false);
            done = outcome.IsDone;
            return outcome;
        }
        catch (Exception exception) when (activity is not null)
        {
            activity.AddException(exception);
            activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            throw;
        }
        finally
        {
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(SamsaActivitySource.AttemptTag, context.Attempt);
                if (!done)
                {
                    activity.SetTag("samsa.outcome", "stopped");
                }
            }
        }
    }

    /// <summary>The record's path without a span of its own.</summary>
    private ValueTask<RecordOutcome> ProcessUntracedAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, ConsumeContext reusable)
    {
        if (partition.RetryLevel > 0)
        {
            return ProcessSlowAsync(partition, record, reusable);
        }

        if (IsOtherGroupsReplay(record))
        {
            return ValueTask.FromResult(RecordOutcome.Done);
        }

        var context = reusable.Load(record, attempt: 1, retryLevel: 0, partition.HandlerToken);
        object? @event;
        try
        {
            @event = _dispatcher.Deserialize(record, context);
        }
        catch (Exception exception)
        {
            return PoisonAsync(partition, record, null, exception);
        }

        var started = _metrics?.DurationEnabled == true ? _timeProvider.GetTimestamp() : 0;
        ValueTask handling;
        try
        {
            handling = _dispatcher.HandleAsync(@event, context, partition.HandlerToken);
        }
        catch (Exception exception)
        {
            // Thrown before the handler's first await: the same failure as a faulted task.
            handling = ValueTask.FromException(exception);
        }

        if (!handling.IsCompletedSuccessfully)
        {
            return HandleAsync(partition, record, context, @event, null, handling, started);
        }

        handling.GetAwaiter().GetResult(); // returns a pooled IValueTaskSource, if the handler used one
        Succeeded(partition, record, started);
        if (_transaction is not null)
        {
            // Exactly-once: the record and its outputs join the open transaction, at once unless a commit holds the gate.
            var joining = _transaction.CompleteAsync(partition, record, context.OutboxTopics, context.Outbox, RecordDisposition.Handled);
            return joining.IsCompletedSuccessfully ? ValueTask.FromResult(RecordOutcome.From(joining.Result)) : JoinedAsync(joining);
        }

        return context.Outbox is { } outbox ? SendOutputsAsync(partition, record, context.OutboxTopics!, outbox) : ValueTask.FromResult(RecordOutcome.Done);

        static async ValueTask<RecordOutcome> JoinedAsync(ValueTask<bool> joining) => RecordOutcome.From(await joining.ConfigureAwait(false));
    }

    /// <summary>The whole path for records from retry topics, where any step may wait (until the copy is due, for one).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RecordOutcome> ProcessSlowAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, ConsumeContext reusable)
    {
        FailureHistory? history = null;
        var level = partition.RetryLevel;
        if (level > 0)
        {
            history = FailureHistory.FromRetryHeaders(record);
            if (HeaderValues.GetText(record.Message.Headers, RetryHeaders.Group) is { } owner && !string.Equals(owner, _groupId, StringComparison.Ordinal))
            {
                // Another group's retry: that group handles it.
                return RecordOutcome.Done;
            }

            var due = HeaderValues.GetTime(record.Message.Headers, RetryHeaders.Due);
            if (due is { } at && !await WaitAsync(at - _timeProvider.GetUtcNow(), partition).ConfigureAwait(false))
            {
                return RecordOutcome.Stopped;
            }
        }
        else if (IsOtherGroupsReplay(record))
        {
            return RecordOutcome.Done;
        }

        var attempt = (history?.Attempts ?? 0) + 1;
        var context = reusable.Load(record, attempt, level, partition.HandlerToken);
        object? @event;
        try
        {
            @event = _dispatcher.Deserialize(record, context);
        }
        catch (Exception exception)
        {
            return await PoisonAsync(partition, record, history, exception).ConfigureAwait(false);
        }

        return await HandleAsync(partition, record, context, @event, history, null, 0).ConfigureAwait(false);
    }

    /// <summary>A dead-letter replay meant for the group that dead-lettered it; this group handled the record the first time.</summary>
    private bool IsOtherGroupsReplay(ConsumeResult<byte[]?, byte[]?> record) =>
        record.Message.Headers is { Count: > 0 } headers
        && headers.TryGetLastBytes(DeadLetterHeaders.ReplayGroup, out var replayGroup)
        && !IsGroup(replayGroup);

    /// <summary>A value that cannot be deserialized goes straight to the dead-letter topic.</summary>
    private ValueTask<RecordOutcome> PoisonAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, FailureHistory? history, Exception exception)
    {
        if (_options.Classifier.Classify(exception) == FailureKind.Fatal)
        {
            return ValueTask.FromResult(Misconfigured(partition, record, exception));
        }

        var poison = new EventDeserializationException(
            $"The value of {record.Topic}[{record.Partition.Value}]@{record.Offset.Value} could not be deserialized: {exception.Message}", exception);
        history ??= FailureHistory.Fresh(record);
        history.Failed(poison, _timeProvider.GetUtcNow(), countsAsAttempt: false);
        Log.RecordPoisoned(_logger, poison, record.Topic, record.Partition.Value, record.Offset.Value);
        return DeadLetterAsync(partition, record, history, DeadLetterReasons.Deserialization);
    }

    /// <summary>
    /// Calls the handler until the record is done with: handled, retried in place, forwarded, dead-lettered, or given up
    /// because the partition stopped. <paramref name="firstCall"/> is a first call already in flight (from
    /// <see cref="ProcessAsync"/> or a batch), started at <paramref name="firstStarted"/>.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RecordOutcome> HandleAsync(
        PartitionFlowState partition,
        ConsumeResult<byte[]?, byte[]?> record,
        ConsumeContext context,
        object? @event,
        FailureHistory? history,
        ValueTask? firstCall,
        long firstStarted)
    {
        var level = partition.RetryLevel;
        var inPlace = 0;
        while (true)
        {
            var started = firstCall is not null ? firstStarted : _metrics?.DurationEnabled == true ? _timeProvider.GetTimestamp() : 0;
            try
            {
                if (firstCall is { } inFlight)
                {
                    firstCall = null;
                    await inFlight.ConfigureAwait(false);
                }
                else
                {
                    await _dispatcher.HandleAsync(@event, context, partition.HandlerToken).ConfigureAwait(false);
                }
            }
            catch (Exception) when (partition.HandlerToken.IsCancellationRequested)
            {
                // Given up on (revoke or shutdown past its bound): not handled, so not committed.
                return RecordOutcome.Stopped;
            }
            catch (Exception exception)
            {
                var kind = _options.Classifier.Classify(exception);
                var now = _timeProvider.GetUtcNow();
                history ??= FailureHistory.Fresh(record);
                history.Failed(exception, now, countsAsAttempt: true);
                _metrics?.RecordFailure(record.Topic, _groupId, record.Partition.Value, kind, exception, started == 0 ? null : _timeProvider.GetElapsedTime(started));
                RecordFailedAttempt(exception, history.Attempts, kind);
                if (kind == FailureKind.Fatal)
                {
                    // Not a failure of this record: nothing is retried or dead-lettered, the worker stops and says why.
                    return Misconfigured(partition, record, exception);
                }

                if (_logger.IsEnabled(LogLevel.Warning))
                {
                    Log.HandlerFailed(_logger, exception, record.Topic, record.Partition.Value, record.Offset.Value, history.Attempts, kind);
                }

                if (kind != FailureKind.DependencyDown)
                {
                    ClearDependencyDown(partition);
                }

                switch (kind)
                {
                    case FailureKind.Permanent:
                        return await DeadLetterAsync(partition, record, history, DeadLetterReasons.Permanent).ConfigureAwait(false);

                    case FailureKind.DependencyDown:
                        if (!await WaitForDependencyAsync(partition, record, exception).ConfigureAwait(false))
                        {
                            return RecordOutcome.Stopped;
                        }

                        break;

                    default:
                        inPlace++;
                        if (level == 0 && inPlace < _options.Retry.MaxAttempts)
                        {
                            var delay = _options.Retry.DelayBefore(inPlace, _random());
                            Log.RetryingInPlace(_logger, record.Topic, record.Partition.Value, record.Offset.Value, inPlace + 1, _options.Retry.MaxAttempts, delay);
                            if (!await WaitAsync(delay, partition).ConfigureAwait(false))
                            {
                                return RecordOutcome.Stopped;
                            }

                            break;
                        }

                        if (level < RetryLevels)
                        {
                            return await ForwardToRetryAsync(partition, record, history, level + 1).ConfigureAwait(false);
                        }

                        return await DeadLetterAsync(partition, record, history, DeadLetterReasons.RetriesExhausted).ConfigureAwait(false);
                }

                // The failed attempt's outbox is dropped.
                context.Load(record, history.Attempts + 1, level, partition.HandlerToken);
                continue;
            }

            Succeeded(partition, record, started);
            if (_transaction is not null)
            {
                return RecordOutcome.From(await _transaction.CompleteAsync(partition, record, context.OutboxTopics, context.Outbox, RecordDisposition.Handled).ConfigureAwait(false));
            }

            return context.Outbox is not { } outbox ? RecordOutcome.Done : await SendOutputsAsync(partition, record, context.OutboxTopics!, outbox).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A <see cref="FailureKind.Fatal"/> failure: the record is not done with, and its processor stops the partition
    /// where it is (the record and those after it stay uncommitted) and reports the misconfiguration, which stops the
    /// worker (see <see cref="RecordOutcomeKind.Misconfigured"/>).
    /// </summary>
    private RecordOutcome Misconfigured(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, Exception exception)
    {
        ClearDependencyDown(partition);
        var cause = FailureClassifier.Unwrap(exception);
        return RecordOutcome.Misconfigured(new MisconfigurationException(
            $"Consumer of {_options.Topic} in group {_options.GroupId} stopped: handling {record.Topic}[{record.Partition.Value}]@{record.Offset.Value} "
            + $"failed with {cause.GetType().Name}: {cause.Message} This is a misconfiguration (FailureKind.Fatal), so nothing was retried or "
            + "dead-lettered and the record stays uncommitted; fix the configuration and restart the service.",
            cause));
    }

    /// <summary>
    /// At least once: sends what the handler produced, in order, and waits until Kafka acknowledged all of it before the
    /// record counts as handled (so its offset is never committed ahead of its outputs). A send that fails is made again
    /// with backoff (only the unacknowledged messages) while the partition waits, as a dead letter is; stopped when the
    /// partition stopped first, and then the record is handled again by the partition's next owner.
    /// </summary>
    private ValueTask<RecordOutcome> SendOutputsAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, List<TopicPartition> targets, List<Message<byte[]?, byte[]?>> messages)
    {
        var acknowledged = new bool[messages.Count];
        var target = targets.Count == 1 ? targets[0].Topic : string.Join(", ", targets.Select(t => t.Topic).Distinct(StringComparer.Ordinal));
        return ForwardAsync(partition, record, target, token =>
        {
            var sends = new List<Task>(messages.Count);
            for (var i = 0; i < messages.Count; i++)
            {
                if (!acknowledged[i])
                {
                    sends.Add(Send(i, token));
                }
            }

            return Task.WhenAll(sends);
        });

        async Task Send(int index, CancellationToken token)
        {
            await _outputs.ProduceAsync(targets[index], messages[index], token).ConfigureAwait(false);
            acknowledged[index] = true;
        }
    }

    /// <summary>The handler call succeeded: a partition paused for its dependency resumes, and the record counts as handled.</summary>
    private void Succeeded(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, long started)
    {
        if (partition.DependencyDown)
        {
            ClearDependencyDown(partition);
            Log.DependencyBack(_logger, record.Topic, record.Partition.Value);
        }

        // In exactly-once mode the record counts when its transaction commits.
        if (_transaction is null)
        {
            _counters.RecordHandled();
        }

        _metrics?.RecordHandled(record.Topic, _groupId, record.Partition.Value, started == 0 ? null : _timeProvider.GetElapsedTime(started));
    }

    /// <summary>Notes a failed handler call on the record's process span, when there is one.</summary>
    private static void RecordFailedAttempt(Exception exception, int attempt, FailureKind kind)
    {
        if (Activity.Current is { IsAllDataRequested: true } activity && ReferenceEquals(activity.Source, SamsaActivitySource.Source) && activity.Kind == ActivityKind.Consumer)
        {
            activity.AddException(exception, new TagList
            {
                { SamsaActivitySource.AttemptTag, attempt },
                { SamsaInstruments.Attributes.FailureKind, kind.ToString() },
            });
        }
    }

    private bool IsGroup(byte[]? value)
    {
        if (value is null || value.Length != System.Text.Encoding.UTF8.GetByteCount(_groupId))
        {
            return false;
        }

        return string.Equals(System.Text.Encoding.UTF8.GetString(value), _groupId, StringComparison.Ordinal);
    }

    /// <summary>Waits on the clock until the partition stops; false when it stopped first.</summary>
    private async ValueTask<bool> WaitAsync(TimeSpan delay, PartitionFlowState partition)
    {
        if (partition.IsStopping)
        {
            return false;
        }

        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        try
        {
            await Backoff.DelayAsync(_timeProvider, delay, partition.DrainToken).ConfigureAwait(false);
            return !partition.IsStopping;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

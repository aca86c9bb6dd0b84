using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Samsa.Consuming.ExactlyOnce;
using Samsa.Diagnostics;
using Samsa.Native;

namespace Samsa.Consuming;

/// <summary>
/// The hosted consumer of one <c>AddConsumer</c> registration: one Confluent consumer in the registration's group,
/// subscribed to the source topic and its retry topics, and a <see cref="PartitionProcessor"/> per assigned partition
/// that calls the handler.
/// </summary>
/// <remarks>
/// <para>
/// One dedicated thread polls. It hands each record to its partition's processor (partitions run concurrently, each in
/// offset order, handed over in batches), pauses a partition when <see cref="ConsumerOptions.MaxInFlightPerPartition"/>
/// records wait and do not drain within <see cref="ConsumerDefaults.BackpressureWait"/>, or its handler's dependency is
/// down, and every <see cref="ConsumerOptions.CommitInterval"/> commits, per partition, the
/// offset after the highest handled record (<see cref="OffsetTracker"/>) with an explicit <c>Commit(offsets)</c>.
/// librdkafka's auto commit and offset store are off, so nothing past unhandled work is ever committed.
/// </para>
/// <para>
/// Calls go one way: the poll thread calls the processors, each processor calls the <see cref="RecordPipeline"/> with its
/// <see cref="PartitionFlowState"/> and acts on the <see cref="RecordOutcome"/> it returns. The processing side reports
/// back only through state the poll thread reads on each loop iteration: the flow state's pause flags
/// (<see cref="PartitionFlowState.DependencyDown"/>, and <see cref="PartitionFlowState.Blocked"/> for the health check)
/// and the worker's <see cref="ConsumerSignals"/> (a pause-change flag, the first processor fault, the first
/// misconfiguration), so nothing on the processing side calls into the worker.
/// </para>
/// <para>
/// Rebalances run on the poll thread, inside <c>Consume</c>. On a revoke the revoked partitions stop taking records,
/// the handler calls in progress get <see cref="ConsumerOptions.RevokeTimeout"/> to finish (then their token is
/// cancelled), and what was handled is committed before the partitions go; a record being retried in place is simply
/// not committed, so its next owner reads it again. Lost partitions are dropped without a commit. Cooperative-sticky
/// (the default) revokes only the partitions that move; range and round-robin revoke all of them each time.
/// Shutdown is a revoke of everything bounded by <see cref="ConsumerOptions.ShutdownTimeout"/>, then <c>Close</c>.
/// </para>
/// <para>
/// Exactly-once mode (<see cref="ConsumerOptions.ExactlyOnce"/>): a <see cref="TransactionalBatch"/> holds one open
/// transaction across the worker's partitions. Each handled record's outputs and offset enter it together, and the
/// poll thread commits it every <see cref="ConsumerOptions.CommitInterval"/>, at
/// <see cref="ConsumerOptions.MaxRecordsPerTransaction"/> records, and before partitions are revoked or the worker stops.
/// When it has to be aborted, every partition is sought back to its last committed offset and handled again.
/// </para>
/// <para>
/// librdkafka's log and error callbacks only post to a bounded queue that a task turns into log lines.
/// </para>
/// </remarks>
public sealed partial class ConsumerWorker : BackgroundService
{
    private const int ClientEventCapacity = 1024;

    /// <summary>Records the poll thread takes before it hands every staged record over, even if librdkafka holds more.</summary>
    private const int StageLimit = 512;

    private readonly ConsumerOptions _options;
    private readonly Func<ConsumerConfig> _consumerConfig;
    private readonly KafkaRecordProducer _producer;
    private readonly TransactionalBatch? _transaction;
    private readonly OutputMessageBuilder _outputBuilder;
    private readonly Func<EventDispatcher> _dispatcher;
    private readonly IServiceProvider _services;
    private readonly Func<double> _random;
    private readonly TimeProvider _timeProvider;
    private readonly ConsumerMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly ConsumerCounters _counters = new();

    /// <summary>What the processors report to the poll thread: pause changes, the first fault, the first misconfiguration.</summary>
    private readonly ConsumerSignals _signals;

    /// <summary>Partitions counted as blocked because the exactly-once transaction keeps aborting on a failed write (poll thread only).</summary>
    private int _transactionBlocked;
    private readonly Dictionary<TopicPartition, PartitionProcessor> _processors = [];
    private readonly Channel<ClientEvent> _clientEvents;
    private readonly IReadOnlyList<string> _topics;
    private RecordPipeline? _pipeline;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private PartitionProcessor? _last;
    private int _staged;
    private volatile PartitionProcessor[] _published = [];
    private volatile PollSnapshot _snapshot = new(0, null);
    private volatile int _state = (int)ConsumerWorkerState.Created;
    private volatile Exception? _fault;
    private volatile Error? _fatalError;
    private volatile bool _crashRequested;
    private volatile bool _crashed;
    private long _droppedClientEvents;
    private IDisposable? _lagRegistration;
    private string? _groupInstanceId;

    internal ConsumerWorker(
        ConsumerOptions options,
        Func<ConsumerConfig> consumerConfig,
        Func<ProducerConfig> producerConfig,
        Func<EventDispatcher> dispatcher,
        IServiceProvider services,
        TimeProvider timeProvider,
        ConsumerMetrics? metrics,
        ILogger logger,
        Func<double>? random = null,
        Func<ProducerConfig>? transactionalProducerConfig = null,
        Publishing.PublisherOptions? publisherOptions = null)
    {
        _outputBuilder = new OutputMessageBuilder(publisherOptions ?? new Publishing.PublisherOptions(), timeProvider);
        _options = options;
        _consumerConfig = consumerConfig;
        _dispatcher = dispatcher;
        _services = services;
        _random = random ?? Random.Shared.NextDouble;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _signals = new ConsumerSignals(logger);
        _topics = [options.Topic, .. options.RetryTopics];
        _clientEvents = Channel.CreateBounded<ClientEvent>(new BoundedChannelOptions(ClientEventCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = false,
        });
        _producer = new KafkaRecordProducer(
            producerConfig, error => PostClientEvent(new ClientEvent(LogLevel.Warning, "producer", error.Code, error.IsFatal, error.Reason)), metrics?.ClientStatistics);
        if (options.ExactlyOnce)
        {
            _transaction = new TransactionalBatch(
                transactionalProducerConfig ?? throw new ArgumentException("Exactly-once mode needs the transactional producer's configuration.", nameof(transactionalProducerConfig)),
                options.GroupId,
                options.CommitInterval,
                logger,
                OnTransactionalProducerError,
                ConsumerDefaults.TransactionOperationTimeout,
                _counters);
        }
    }

    /// <summary>The source topic.</summary>
    public string Topic => _options.Topic;

    /// <summary>The consumer group.</summary>
    public string GroupId => _options.GroupId;

    /// <summary>The options of this registration.</summary>
    public ConsumerOptions Options => _options;

    /// <summary>Where the worker is in its life.</summary>
    public ConsumerWorkerState State => (ConsumerWorkerState)_state;

    /// <summary>A point-in-time view: state, assignment, lag, age of the oldest unhandled record, counters, blocked partitions.</summary>
    public ConsumerStatus GetStatus()
    {
        var snapshot = _snapshot;
        var processors = _published;
        var now = _timeProvider.GetTimestamp();
        TimeSpan? oldest = null;
        var dependencyDown = 0;
        var paused = 0;
        var partitions = new List<ConsumerPartitionStatus>(processors.Length);
        foreach (var processor in processors)
        {
            var flow = processor.Flow;
            if (flow.PauseApplied)
            {
                paused++;
            }

            TimeSpan? partitionAge = null;
            var received = processor.OldestReceived;
            if (received != 0)
            {
                var age = _timeProvider.GetElapsedTime(received, now);
                partitionAge = age;
                oldest = oldest is { } known && known > age ? known : age;
            }

            if (flow.DependencyDown)
            {
                dependencyDown++;
            }

            // The most specific reason wins: a blocked or dependency-down partition is paused too.
            partitions.Add(new ConsumerPartitionStatus(processor.Topic, processor.Partition, flow.State, partitionAge));
        }

        var blocked = _counters.Blocked;
        return new ConsumerStatus
        {
            Topic = _options.Topic,
            GroupId = _options.GroupId,
            State = State,
            AssignedPartitions = [.. processors.Select(p => $"{p.Topic}[{p.Partition}]")],
            Partitions = partitions,
            Lag = snapshot.Lag,
            OldestUnhandledAge = oldest,
            Handled = _counters.Handled,
            ForwardedToRetry = _counters.Forwarded,
            DeadLettered = _counters.DeadLettered,
            BlockedPartitions = blocked,
            LastForwardError = blocked > 0 ? _counters.LastForwardError : null,
            DependencyDownPartitions = dependencyDown,
            PausedPartitions = paused,
            LastCommit = snapshot.LastCommit,
            Fault = _fault,
        };
    }

    /// <summary>
    /// Stops the worker the way a killed process stops: no commit, no leaving the group, handler calls cancelled. The
    /// group moves its partitions after the session times out, and their uncommitted records are read again. For tests
    /// of what a crash loses (nothing).
    /// </summary>
    internal void Crash() => _crashRequested = true;

    /// <summary>The offsets this worker handled, by partition (for tests and diagnostics).</summary>
    internal IReadOnlyDictionary<string, long> HandledOffsets() =>
        _published.ToDictionary(p => $"{p.Topic}[{p.Partition}]", p => p.Offsets.Handled, StringComparer.Ordinal);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var diagnostics = Task.Run(DrainClientEventsAsync, CancellationToken.None);
        var poll = Task.Factory.StartNew(
            () => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default);
        return Finish(poll, diagnostics);

        async Task Finish(Task polling, Task draining)
        {
            try
            {
                await polling.ConfigureAwait(false);
            }
            finally
            {
                _clientEvents.Writer.TryComplete();
                await draining.ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        _lagRegistration?.Dispose();
        _producer.Dispose();
        _transaction?.Dispose();
    }

    private void Run(CancellationToken stoppingToken)
    {
        _state = (int)ConsumerWorkerState.Starting;
        try
        {
            _pipeline = CreatePipeline();
            if (_metrics is not null)
            {
                _lagRegistration = _metrics.AddLagSource(() => new ConsumerLagReading(_options.Topic, _options.GroupId, _snapshot.Lag, _counters.Blocked));
            }

            LibrdkafkaLoader.EnsureLoaded();
            _transaction?.Initialize();
            var consumer = BuildConsumer();
            _consumer = consumer;
            try
            {
                consumer.Subscribe(_topics);
                var topics = string.Join(", ", _topics);
                var instanceId = InstanceIdentity.Of(_options);
                var handlerMode = HandlerMode(_options);
                Log.ConsumerStarted(
                    _logger,
                    topics,
                    _options.GroupId,
                    _transaction is null ? "at-least-once" : "exactly-once",
                    instanceId,
                    _transaction?.TransactionalId ?? "none",
                    _groupInstanceId ?? "none (dynamic membership)",
                    _options.AssignmentStrategy,
                    _options.MaxInFlightPerPartition,
                    handlerMode);
                _state = (int)ConsumerWorkerState.Running;
                Poll(consumer, stoppingToken);
                if (_crashRequested)
                {
                    CrashNow();
                    return;
                }

                Shutdown(consumer);
            }
            finally
            {
                consumer.Dispose();
                _consumer = null;
            }

            _producer.Flush(TimeSpan.FromSeconds(5));
            if (_signals.Misconfiguration is { } misconfiguration)
            {
                // Stopped, not thrown: the host keeps serving its health endpoints, which report this worker Unhealthy.
                _fault = misconfiguration;
                _state = (int)ConsumerWorkerState.Faulted;
                return;
            }

            _state = (int)ConsumerWorkerState.Stopped;
            Log.ConsumerStopped(_logger, _options.Topic, _options.GroupId, _counters.Handled, _counters.DeadLettered, _counters.Forwarded);
        }
        catch (Exception exception) when (!_crashed)
        {
            _fault = exception;
            _state = (int)ConsumerWorkerState.Faulted;
            foreach (var processor in _processors.Values)
            {
                processor.Stop();
                processor.Abort();
            }

            Log.ConsumerFaulted(_logger, exception, _options.Topic, _options.GroupId);
            throw;
        }
    }

    /// <summary>How records reach the handler, for the start-up line: batches, keyed concurrency, or one at a time.</summary>
    private static string HandlerMode(ConsumerOptions options) =>
        options.IsBatchConsumer
            ? $"batches of at most {options.MaxBatchSize} records or {options.MaxBatchWait.TotalMilliseconds:0.###} ms per partition (retry topics one at a time)"
            : options.MaxConcurrencyPerPartition > 1
                ? $"keyed concurrency, {options.MaxConcurrencyPerPartition} records per partition at once, in order per key"
                : "one record at a time per partition";

    private RecordPipeline CreatePipeline()
    {
        var retries = _options.Retry.RetryTopicDelays.Count == 0
            ? null
            : new Retry.RetryTopicWriter(_options.Topic, _options.GroupId, [.. _options.Retry.RetryTopicDelays], _producer);
        return new RecordPipeline(
            _options,
            _dispatcher(),
            new DeadLetter.DeadLetterWriter(_options.EffectiveDeadLetterTopic, _options.GroupId, _producer),
            retries,
            _transaction,
            _producer,
            _outputBuilder,
            _services,
            _timeProvider,
            _random,
            _counters,
            _metrics,
            _logger);
    }

    private void Poll(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        var interval = _timeProvider.TimestampFrequency * _options.CommitInterval.Ticks / TimeSpan.TicksPerSecond;
        var nextTick = _timeProvider.GetTimestamp() + interval;
        var timeout = ConsumerDefaults.PollTimeout;
        while (!stoppingToken.IsCancellationRequested && !_crashRequested && _signals.Misconfiguration is null)
        {
            ThrowIfBroken();
            if (_signals.TakePauseChange())
            {
                SyncPauses(consumer);
            }

            var now = _timeProvider.GetTimestamp();
            if (now >= nextTick || (_transaction is { } transaction && (transaction.Records >= _options.MaxRecordsPerTransaction || transaction.AbortRequested)))
            {
                Commit(consumer, _processors.Values, "interval");
                RewindDiscarded(consumer);
                Publish(consumer);
                nextTick = now + interval;
            }

            ConsumeResult<byte[]?, byte[]?>? record;
            try
            {
                // While records are staged, take only what librdkafka already holds; they are handed over when it has no
                // more, or after StageLimit records so that a partition with few records is not held behind busy ones.
                record = consumer.Consume(_staged > 0 ? TimeSpan.Zero : timeout);
            }
            catch (ConsumeException exception) when (!exception.Error.IsFatal && exception.Error.Code != ErrorCode.Local_Application)
            {
                Log.ConsumeFailed(_logger, exception.ConsumerRecord?.Topic ?? "-", exception.ConsumerRecord?.Partition.Value ?? -1, exception.Error.Code, exception.Error.Reason);
                continue;
            }

            if (record is null)
            {
                FlushStaged();
                continue;
            }

            if (!record.IsPartitionEOF)
            {
                Dispatch(record, now);
            }
        }
    }

    private void ThrowIfBroken()
    {
        if (_fatalError is { } fatal)
        {
            throw _transaction is null ? new KafkaException(fatal) : _transaction.Fatal(fatal);
        }

        if (_signals.Fault is { } fault)
        {
            throw new InvalidOperationException($"A partition processor of {_options.Topic} failed outside the handler: {fault.Message}", fault);
        }
    }

    /// <summary>Stages <paramref name="record"/> with its partition's processor; a full batch is handed over at once.</summary>
    private void Dispatch(ConsumeResult<byte[]?, byte[]?> record, long now)
    {
        var processor = _last;
        if (processor is null || processor.Partition != record.Partition.Value || !string.Equals(processor.Topic, record.Topic, StringComparison.Ordinal))
        {
            if (!_processors.TryGetValue(record.TopicPartition, out processor))
            {
                return;
            }

            _last = processor;
        }

        if (processor.Stage(record, now))
        {
            Flush(processor);
        }

        if (++_staged >= StageLimit)
        {
            FlushStaged();
        }
    }

    /// <summary>Hands every staged record to its processor.</summary>
    private void FlushStaged()
    {
        if (_staged == 0)
        {
            return;
        }

        _staged = 0;
        foreach (var processor in _processors.Values)
        {
            if (processor.HasStaged)
            {
                Flush(processor);
            }
        }
    }

    private void Flush(PartitionProcessor processor)
    {
        var pending = processor.Flush();
        var flow = processor.Flow;
        if (pending >= processor.MaxInFlight && !flow.Backpressured
            && (flow.DependencyDown || !processor.WaitForRoom(ConsumerDefaults.BackpressureWait, ConsumerDefaults.BackpressureProgressWait)))
        {
            flow.SetBackpressure();
            _signals.RaisePauseChange();
        }
    }

    /// <summary>
    /// Pauses the partitions that want a pause and resumes those that no longer do (see
    /// <see cref="PartitionFlowState.NextPauseChange"/>); run when <see cref="ConsumerSignals.TakePauseChange"/> says
    /// something changed.
    /// </summary>
    private void SyncPauses(IConsumer<byte[]?, byte[]?> consumer)
    {
        List<PartitionProcessor>? pause = null;
        List<PartitionProcessor>? resume = null;
        foreach (var processor in _processors.Values)
        {
            switch (processor.NextPauseChange())
            {
                case PauseChange.Pause:
                    (pause ??= []).Add(processor);
                    break;
                case PauseChange.Resume:
                    (resume ??= []).Add(processor);
                    break;
            }
        }

        try
        {
            if (pause is not null)
            {
                consumer.Pause(pause.Select(p => p.TopicPartition));
                pause.ForEach(p => p.Flow.PauseApplied = true);
            }

            if (resume is not null)
            {
                consumer.Resume(resume.Select(p => p.TopicPartition));
                resume.ForEach(p => p.Flow.PauseApplied = false);
            }
        }
        catch (KafkaException exception)
        {
            // Try again on the next round.
            Log.ConsumeFailed(_logger, _options.Topic, -1, exception.Error.Code, $"pause/resume failed: {exception.Error.Reason}");
            _signals.RaisePauseChange();
        }
    }

    /// <summary>Publishes what the health check and the lag gauge read: the processors, the lag, the last commit.</summary>
    private void Publish(IConsumer<byte[]?, byte[]?> consumer)
    {
        long lag = 0;
        foreach (var processor in _processors.Values)
        {
            try
            {
                var watermarks = consumer.GetWatermarkOffsets(processor.TopicPartition);
                if (watermarks.High.Value < 0)
                {
                    continue;
                }

                var position = processor.Offsets.Handled;
                if (position < 0)
                {
                    var fetched = consumer.Position(processor.TopicPartition);
                    position = fetched.Value >= 0 ? fetched.Value : watermarks.High.Value;
                }

                lag += Math.Max(0, watermarks.High.Value - position);
            }
            catch (KafkaException)
            {
                // No position yet for a partition just assigned.
            }
        }

        _snapshot = _snapshot with { Lag = lag };
    }

    private void PublishProcessors()
    {
        _published = [.. _processors.Values];
        _last = null;
    }

    private void OnTransactionalProducerError(Error error)
    {
        if (error.IsFatal)
        {
            RecordFatalError(error);
        }

        PostClientEvent(new ClientEvent(LogLevel.Warning, "transactional producer", error.Code, error.IsFatal, error.Reason));
    }

    /// <summary>A fatal client error (consumer or transactional producer, on their own threads): the first one is what the poll thread throws.</summary>
    private void RecordFatalError(Error error) => Interlocked.CompareExchange(ref _fatalError, error, null);

    private void PostClientEvent(ClientEvent clientEvent)
    {
        if (!_clientEvents.Writer.TryWrite(clientEvent))
        {
            Interlocked.Increment(ref _droppedClientEvents);
        }
    }

    private async Task DrainClientEventsAsync()
    {
        await foreach (var clientEvent in _clientEvents.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (clientEvent.Code is { } code)
            {
                Log.ConsumerClientError(_logger, code, clientEvent.IsFatal, clientEvent.Text);
            }
            else if (_logger.IsEnabled(clientEvent.Level))
            {
                Log.ConsumerLog(_logger, clientEvent.Level, _options.GroupId, clientEvent.Facility, clientEvent.Text);
            }

            var dropped = Interlocked.Exchange(ref _droppedClientEvents, 0);
            if (dropped > 0)
            {
                Log.ConsumerEventsDropped(_logger, dropped);
            }
        }
    }

    /// <summary>What the poll thread last measured.</summary>
    private sealed record PollSnapshot(long Lag, DateTimeOffset? LastCommit);

    /// <summary>A librdkafka log line or error, posted from its callback.</summary>
    private readonly record struct ClientEvent(LogLevel Level, string Facility, ErrorCode? Code, bool IsFatal, string Text);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Diagnostics;
using Samsa.Native;

namespace Samsa.Publishing;

/// <summary>
/// <see cref="IEventPublisher"/> on one shared Confluent.Kafka producer (<c>IProducer&lt;byte[]?, byte[]&gt;</c>), built on
/// the first publish, after start-up checks have passed. Flushed within <see cref="PublisherOptions.FlushTimeout"/> when the
/// host stops and when disposed; what is still undelivered after that fails with <see cref="ErrorCode.Local_Destroy"/>.
/// </summary>
/// <remarks>
/// <para>
/// The publish path does the least it can on top of Confluent.Kafka: it serializes into a per-thread pooled buffer with
/// a reused <c>Utf8JsonWriter</c>, reuses the Confluent message, header list and fixed-length header values per thread,
/// keeps each event type's UTF-8 type name and topic, and completes awaiters through pooled operations instead of tasks.
/// What remains per message is what Confluent.Kafka itself needs: the exact-size value and key arrays, and its delivery
/// report objects.
/// </para>
/// <para>
/// librdkafka's error and log callbacks only update atomics and post to a bounded queue that a background task turns
/// into log lines; delivery reports only record counters and hand over to the thread pool.
/// </para>
/// </remarks>
internal sealed partial class EventPublisher : IEventPublisher, IAsyncDisposable, IDisposable
{
    private const int DiagnosticsQueueCapacity = 1024;

    private readonly Func<ProducerConfig> _configFactory;
    private readonly PublisherOptions _options;
    private readonly IEventSerializer _serializer;
    private readonly byte[] _serializerContentType;
    private readonly ProducerErrorTracker _tracker;
    private readonly SamsaMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentQueue<PublishOperation> _pool = new();
    private readonly List<PublishOperation> _allOperations = [];
    private readonly ConcurrentQueue<PublishOperation> _completions = new();
    private readonly CompletionDrainer _completionDrainer;
    private int _drainScheduled;
    private readonly ConcurrentDictionary<Type, EventTypeMetadata> _metadata = new();
    private readonly Channel<ProducerEvent> _diagnostics;
    private readonly Lock _createLock = new();
    private long _droppedDiagnostics;
    private volatile IProducer<byte[]?, byte[]>? _producer;
    private Task? _diagnosticsLoop;
    private readonly IDisposable? _unacknowledgedGauges;
    private volatile bool _disposed;

    internal EventPublisher(
        Func<ProducerConfig> configFactory,
        PublisherOptions options,
        ProducerErrorTracker tracker,
        SamsaMetrics? metrics,
        ILogger? logger,
        TimeProvider timeProvider)
    {
        _configFactory = configFactory;
        _options = options;
        _serializer = options.Serializer ?? new SystemTextJsonEventSerializer();
        _serializerContentType = System.Text.Encoding.UTF8.GetBytes(_serializer.ContentType);
        _tracker = tracker;
        _metrics = options.DisableMetrics ? null : metrics;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider;
        _tracker.UnacknowledgedSource = GetUnacknowledged;
        _unacknowledgedGauges = _metrics?.AddUnacknowledgedSource(GetUnacknowledged);
        _completionDrainer = new CompletionDrainer(this);
        _diagnostics = Channel.CreateBounded<ProducerEvent>(new BoundedChannelOptions(DiagnosticsQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>The error counters of this publisher's producer.</summary>
    public ProducerErrorTracker Errors => _tracker;

    /// <summary>Messages queued in librdkafka and not yet delivered or failed (0 before the first publish).</summary>
    public int QueuedMessages => _producer is { } producer && !_disposed ? SafeQueueLength(producer) : 0;

    /// <inheritdoc />
    public ValueTask<PublishResult> PublishAsync<TEvent>(TEvent @event, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PublishResult>(cancellationToken);
        }

        try
        {
            var metadata = Metadata<TEvent>();
            var topic = ResolveTopic(metadata, options);
            var value = Serialize(@event, topic);
            var operation = Send(topic, metadata, value, _serializerContentType, options, awaited: true, null, null, cancellationToken);
            return operation.AsValueTask();
        }
        catch (PublishException ex)
        {
            return ValueTask.FromException<PublishResult>(ex);
        }
    }

    /// <inheritdoc />
    public ValueTask<PublishResult> PublishRawAsync(ReadOnlyMemory<byte> payload, PublishOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Topic))
        {
            throw new ArgumentException("A raw publish needs PublishOptions.Topic.", nameof(options));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PublishResult>(cancellationToken);
        }

        try
        {
            var value = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload, out var segment)
                && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : payload.ToArray();
            var buffers = PublishBuffers.Current;
            var contentType = options.ContentType is null ? _jsonContentType : buffers.ContentTypes.Get(options.ContentType);
            var operation = Send(options.Topic, null, value, contentType, options, awaited: true, null, null, cancellationToken);
            return operation.AsValueTask();
        }
        catch (PublishException ex)
        {
            return ValueTask.FromException<PublishResult>(ex);
        }
    }

    /// <inheritdoc />
    public void Publish<TEvent>(TEvent @event, PublishOptions? options = null, PublishCompletion? onCompleted = null, object? state = null)
    {
        var metadata = Metadata<TEvent>();
        var topic = ResolveTopic(metadata, options);
        var value = Serialize(@event, topic);
        Send(topic, metadata, value, _serializerContentType, options, awaited: false, onCompleted, state, CancellationToken.None);
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var producer = _producer;
        if (producer is null || _disposed)
        {
            return Task.CompletedTask;
        }

        return Task.Run(() => producer.Flush(cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Waits for queued messages for at most <paramref name="timeout"/> (and until <paramref name="cancellationToken"/>);
    /// returns how many were still queued.
    /// </summary>
    internal async Task<int> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var producer = _producer;
        if (producer is null || _disposed)
        {
            return 0;
        }

        var queued = SafeQueueLength(producer);
        if (queued == 0)
        {
            return 0;
        }

        Log.FlushStarted(_logger, queued, timeout);
        var started = _timeProvider.GetTimestamp();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await Task.Run(() => producer.Flush(bounded.Token), CancellationToken.None).ConfigureAwait(false);
            var elapsed = _timeProvider.GetElapsedTime(started);
            Log.FlushCompleted(_logger, elapsed);

            return 0;
        }
        catch (OperationCanceledException)
        {
            return SafeQueueLength(producer);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        var producer = _producer;
        if (producer is not null)
        {
            var remaining = await FlushAsync(_options.FlushTimeout, CancellationToken.None).ConfigureAwait(false);
            if (remaining > 0)
            {
                Log.FlushIncomplete(_logger, remaining, _options.FlushTimeout);
            }
        }

        DisposeProducer();
        if (_diagnosticsLoop is not null)
        {
            await _diagnosticsLoop.ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Records the outcome of a delivery (Confluent.Kafka's poll thread: atomics and instruments only).</summary>
    internal void RecordOutcome(string topic, ErrorCode code, string? reason, long startTimestamp, Activity? activity, in PublishResult result)
    {
        if (code == ErrorCode.NoError)
        {
            _tracker.RecordDelivered();
        }
        else
        {
            _tracker.RecordFailure(code, reason, topic);
        }

        _metrics?.RecordPublish(topic, result.Partition, code, startTimestamp);
        if (activity is not null)
        {
            SamsaActivitySource.CompleteSend(activity, result.Partition, result.Offset, code, reason);
        }
    }

    /// <summary>The clock's timestamp, for the operations' in-flight ages.</summary>
    internal long Now() => _timeProvider.GetTimestamp();

    /// <summary>Messages handed to the producer and not yet acknowledged or failed, and the age of the oldest.</summary>
    internal UnacknowledgedReading GetUnacknowledged()
    {
        PublishOperation[] operations;
        lock (_allOperations)
        {
            operations = [.. _allOperations];
        }

        var count = 0;
        var oldest = long.MaxValue;
        foreach (var operation in operations)
        {
            if (operation.TryGetInFlightSince(out var since))
            {
                count++;
                oldest = Math.Min(oldest, since);
            }
        }

        return new UnacknowledgedReading(count, count == 0 ? TimeSpan.Zero : _timeProvider.GetElapsedTime(oldest));
    }

    internal void ReportUnobservedFailure(Guid eventId, string topic, ErrorCode code, string reason) =>
        Log.PublishFailed(_logger, eventId, topic, code, reason);

    internal void ReportCallbackFailure(Exception exception, Guid eventId, string topic) =>
        Log.PublishCallbackFailed(_logger, exception, eventId, topic);

    /// <summary>Whether fire-and-forget completions run where the delivery report arrives (<see cref="PublisherOptions.RunCallbacksOnDeliveryThread"/>).</summary>
    internal bool RunsCompletionsOnDeliveryThread => _options.RunCallbacksOnDeliveryThread;

    internal void ReturnOperation(PublishOperation operation) => _pool.Enqueue(operation);

    /// <summary>
    /// Queues a fire-and-forget completion (called on the poll thread). One drainer at a time runs on the thread pool and
    /// takes everything queued, so a burst of delivery reports costs one hand-over, not one per message.
    /// </summary>
    internal void ScheduleCompletion(PublishOperation operation)
    {
        _completions.Enqueue(operation);
        if (Interlocked.CompareExchange(ref _drainScheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_completionDrainer, preferLocal: false);
        }
    }

    private void DrainCompletions()
    {
        while (true)
        {
            while (_completions.TryDequeue(out var operation))
            {
                operation.RunCompletion();
            }

            Volatile.Write(ref _drainScheduled, 0);
            if (_completions.IsEmpty || Interlocked.CompareExchange(ref _drainScheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }

    /// <summary>The drainer as a work item, made once.</summary>
    private sealed class CompletionDrainer(EventPublisher publisher) : IThreadPoolWorkItem
    {
        public void Execute() => publisher.DrainCompletions();
    }

    private static int SafeQueueLength(IProducer<byte[]?, byte[]> producer)
    {
        try
        {
            // librdkafka's out queue: messages not yet delivered, plus delivery reports not yet served.
            return producer.Flush(TimeSpan.Zero);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
    }

    private PublishOperation RentOperation()
    {
        if (_pool.TryDequeue(out var operation))
        {
            return operation;
        }

        // Every operation ever made stays known (they are pooled, so there are as many as were ever in flight at once),
        // so that disposing can answer those whose delivery report will never come.
        operation = new PublishOperation(this);
        lock (_allOperations)
        {
            _allOperations.Add(operation);
        }

        return operation;
    }
}

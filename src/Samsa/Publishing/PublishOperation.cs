using System.Diagnostics;
using System.Threading.Tasks.Sources;
using Confluent.Kafka;

namespace Samsa.Publishing;

/// <summary>
/// One publish in flight, pooled: the delivery handler Confluent.Kafka calls, and the <see cref="IValueTaskSource{TResult}"/>
/// behind the <see cref="ValueTask{TResult}"/> the caller awaits. Its delegate is made once per instance, so a publish
/// allocates no closure and no task.
/// </summary>
/// <remarks>
/// <para>
/// Threads. The delivery report arrives on Confluent.Kafka's poll thread. There the operation records the outcome
/// (atomics and instruments) and completes: an awaited operation sets its result there, and the awaiter's continuation,
/// if one is already registered, is queued to the thread pool (<see cref="ManualResetValueTaskSourceCore{TResult}.RunContinuationsAsynchronously"/>),
/// so a result nobody waits for yet costs no thread-pool hop at all, as with a completed task; a fire-and-forget callback
/// goes to the publisher's completion queue, which one thread-pool work item drains in bursts, so a callback costs no
/// thread-pool hop of its own. No caller code ever runs on the poll thread.
/// </para>
/// <para>
/// Lifetime. Two parties hold an awaited operation: the delivery report and the awaiter. Cancellation can end the wait
/// before the report comes, so each party drops its reference when done, and the last one returns the operation to the pool.
/// </para>
/// </remarks>
internal sealed class PublishOperation : IValueTaskSource<PublishResult>
{
    private const int Pending = 0;
    private const int Delivered = 1;
    private const int Canceled = 2;

    private readonly EventPublisher _publisher;
    private ManualResetValueTaskSourceCore<PublishResult> _core;
    private string _topic = string.Empty;
    private Guid _eventId;
    private DateTimeOffset _publishedAt;
    private long _startTimestamp;
    private long _handedOverAt;
    private Activity? _activity;
    private bool _awaited;
    private PublishCompletion? _callback;
    private object? _callbackState;
    private CancellationTokenRegistration _registration;
    private CancellationToken _cancellationToken;
    private int _state;
    private int _references;
    private int _inFlight;
    private PublishResult _result;
    private ErrorCode _errorCode;
    private string? _errorReason;

    public PublishOperation(EventPublisher publisher)
    {
        _publisher = publisher;
        _core.RunContinuationsAsynchronously = true;
        OnDelivery = Deliver;
    }

    /// <summary>The handler given to <c>IProducer.Produce</c>; one delegate for the life of this instance.</summary>
    public Action<DeliveryReport<byte[]?, byte[]>> OnDelivery { get; }

    public string Topic => _topic;

    public Guid EventId => _eventId;

    /// <summary>When the message was handed to the producer (<see cref="TimeProvider"/> ticks), if it is still in flight.</summary>
    public bool TryGetInFlightSince(out long handedOverAt)
    {
        handedOverAt = Volatile.Read(ref _handedOverAt);
        return Volatile.Read(ref _inFlight) == 1;
    }

    /// <summary>Prepares an awaited publish.</summary>
    public void StartAwaited(string topic, Guid eventId, DateTimeOffset publishedAt, long startTimestamp, Activity? activity)
    {
        Start(topic, eventId, publishedAt, startTimestamp, activity);
        _awaited = true;
        _references = 2;
    }

    /// <summary>Prepares a fire-and-forget publish.</summary>
    public void StartFireAndForget(string topic, Guid eventId, DateTimeOffset publishedAt, long startTimestamp, Activity? activity, PublishCompletion? callback, object? state)
    {
        Start(topic, eventId, publishedAt, startTimestamp, activity);
        _awaited = false;
        _callback = callback;
        _callbackState = state;
        _references = 1;
    }

    /// <summary>Ends the wait, not the message, when <paramref name="cancellationToken"/> fires. Call before producing.</summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellationToken = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static state => ((PublishOperation)state!).Cancel(), this);
        }
    }

    public ValueTask<PublishResult> AsValueTask() => new(this, _core.Version);

    /// <summary>Produce threw: the operation never reached librdkafka; drop it without completing anything.</summary>
    public void Abandon()
    {
        Volatile.Write(ref _inFlight, 0);
        _registration.Dispose();
        Recycle();
    }

    public PublishResult GetResult(short token)
    {
        _core.GetStatus(token);
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// Fire and forget, on the publisher's completion drainer (a thread-pool thread), or on the delivery-report thread
    /// when the publisher is set so: runs the callback, or logs a failure nobody observes, then returns the operation to the pool.
    /// </summary>
    public void RunCompletion()
    {
        var error = _errorCode == ErrorCode.NoError ? null : CreateException();
        if (_callback is null)
        {
            if (error is not null)
            {
                _publisher.ReportUnobservedFailure(_eventId, _topic, _errorCode, _errorReason ?? string.Empty);
            }
        }
        else
        {
            try
            {
                _callback(_result, error, _callbackState);
            }
            catch (Exception ex)
            {
                _publisher.ReportCallbackFailure(ex, _eventId, _topic);
            }
        }

        Release();
    }

    private void Start(string topic, Guid eventId, DateTimeOffset publishedAt, long startTimestamp, Activity? activity)
    {
        _topic = topic;
        _eventId = eventId;
        _publishedAt = publishedAt;
        _startTimestamp = startTimestamp;
        _activity = activity;
        _state = Pending;
        _errorCode = ErrorCode.NoError;
        _errorReason = null;
        Volatile.Write(ref _handedOverAt, _publisher.Now());
        Volatile.Write(ref _inFlight, 1);
    }

    /// <summary>On Confluent.Kafka's poll thread: record, then complete (continuations run on the thread pool).</summary>
    private void Deliver(DeliveryReport<byte[]?, byte[]> report)
    {
        if (Interlocked.Exchange(ref _inFlight, 0) == 0)
        {
            return;
        }

        var error = report.Error;
        var timestamp = report.Message?.Timestamp ?? default;
        Complete(
            error.Code,
            error.IsError ? error.Reason : null,
            report.Partition.Value,
            error.IsError ? Offset.Unset.Value : report.Offset.Value,
            timestamp.Type == TimestampType.NotAvailable ? _publishedAt : DateTimeOffset.FromUnixTimeMilliseconds(timestamp.UnixTimestampMs),
            (PublishStatus)report.Status);
    }

    /// <summary>The producer is gone and this message's report will never come: fail it, so no caller waits for ever.</summary>
    public void FailUndelivered()
    {
        if (Interlocked.Exchange(ref _inFlight, 0) == 1)
        {
            Complete(
                ErrorCode.Local_Destroy,
                "The publisher was disposed before Kafka acknowledged the message (flush timeout reached).",
                Partition.Any.Value,
                Offset.Unset.Value,
                _publishedAt,
                PublishStatus.PossiblyPersisted);
        }
    }

    private void Complete(ErrorCode code, string? reason, int partition, long offset, DateTimeOffset timestamp, PublishStatus status)
    {
        _errorCode = code;
        _errorReason = reason;
        _result = new PublishResult(_topic, partition, offset, timestamp, status, _eventId);
        _publisher.RecordOutcome(_topic, _errorCode, _errorReason, _startTimestamp, _activity, in _result);
        _activity = null;

        if (_awaited)
        {
            if (Interlocked.CompareExchange(ref _state, Delivered, Pending) == Pending)
            {
                if (_errorCode == ErrorCode.NoError)
                {
                    _core.SetResult(_result);
                }
                else
                {
                    _core.SetException(CreateException());
                }
            }

            Release();
        }
        else if (_callback is not null || _errorCode != ErrorCode.NoError)
        {
            if (_publisher.RunsCompletionsOnDeliveryThread)
            {
                RunCompletion();
            }
            else
            {
                _publisher.ScheduleCompletion(this);
            }
        }
        else
        {
            Release();
        }
    }

    private void Cancel()
    {
        if (Interlocked.CompareExchange(ref _state, Canceled, Pending) == Pending)
        {
            _core.SetException(new OperationCanceledException(_cancellationToken));
        }
    }

    private PublishException CreateException()
    {
        var reason = _errorReason ?? _errorCode.ToString();
        return new PublishException(
            $"Publishing to topic '{_topic}' failed with {_errorCode}: {reason}", _errorCode, _topic, _result.Status)
        {
            EventId = _eventId,
        };
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Recycle();
        }
    }

    private void Recycle()
    {
        _registration = default;
        _cancellationToken = default;
        _activity = null;
        _callback = null;
        _callbackState = null;
        _result = default;
        _core.Reset();
        _publisher.ReturnOperation(this);
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Confluent.Kafka;

namespace Samsa.Publishing;

/// <summary>
/// Producer error tracking: counts failed publishes by Kafka error code (in total and over a sliding window), counts
/// deliveries, and keeps the last failure and any fatal client error, for the health check and for operators.
/// </summary>
/// <remarks>
/// Recording is lock-free (atomics only), because delivery reports arrive on Confluent.Kafka's poll thread and
/// client errors on librdkafka's; it never blocks or allocates except for the first failure of a code and for the
/// description of the last failure. The window is kept in <see cref="BucketCount"/> buckets, so "recent" is exact to one bucket.
/// </remarks>
public sealed class ProducerErrorTracker
{
    /// <summary>Buckets the window is divided into.</summary>
    public const int BucketCount = 60;

    private readonly TimeProvider _timeProvider;
    private readonly long _bucketTicks;
    private readonly long[] _bucketIndex = new long[BucketCount];
    private readonly int[] _bucketFailures = new int[BucketCount];
    private readonly ConcurrentDictionary<ErrorCode, StrongBox<long>> _failuresByCode = new();
    private readonly ConcurrentDictionary<ErrorCode, StrongBox<long>> _clientErrorsByCode = new();
    private long _delivered;
    private long _failures;
    private long _lastDeliveredTimestamp = long.MinValue;
    private ProducerFailure? _lastFailure;
    private ProducerFailure? _fatalError;

    /// <summary>Tracks failures over <paramref name="window"/>, with time from <paramref name="timeProvider"/>.</summary>
    public ProducerErrorTracker(TimeProvider timeProvider, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _timeProvider = timeProvider;
        Window = window;
        _bucketTicks = Math.Max(1, (long)(window.TotalSeconds * timeProvider.TimestampFrequency / BucketCount));
        Array.Fill(_bucketIndex, long.MinValue);
    }

    /// <summary>How far back <see cref="ProducerErrorSnapshot.RecentFailures"/> reaches.</summary>
    public TimeSpan Window { get; }

    /// <summary>The publisher's count of unacknowledged messages and the age of the oldest (set by the publisher).</summary>
    internal Func<Diagnostics.UnacknowledgedReading>? UnacknowledgedSource { get; set; }

    /// <summary>Counts one acknowledged message.</summary>
    public void RecordDelivered()
    {
        Interlocked.Increment(ref _delivered);
        Volatile.Write(ref _lastDeliveredTimestamp, _timeProvider.GetTimestamp());
    }

    /// <summary>Counts one failed publish with its error code.</summary>
    public void RecordFailure(ErrorCode code, string? reason, string? topic)
    {
        Interlocked.Increment(ref _failures);
        Interlocked.Increment(ref _failuresByCode.GetOrAdd(code, static _ => new StrongBox<long>()).Value);
        var index = _timeProvider.GetTimestamp() / _bucketTicks;
        var slot = (int)(index % BucketCount);
        var seen = Volatile.Read(ref _bucketIndex[slot]);
        if (seen != index && Interlocked.CompareExchange(ref _bucketIndex[slot], index, seen) == seen)
        {
            Interlocked.Exchange(ref _bucketFailures[slot], 0);
        }

        Interlocked.Increment(ref _bucketFailures[slot]);
        Volatile.Write(ref _lastFailure, new ProducerFailure(code, reason ?? code.ToString(), topic, _timeProvider.GetUtcNow()));
    }

    /// <summary>Counts an error the client reported outside any one message (all brokers down, authentication, a fatal error).</summary>
    public void RecordClientError(ErrorCode code, string? reason, bool isFatal)
    {
        Interlocked.Increment(ref _clientErrorsByCode.GetOrAdd(code, static _ => new StrongBox<long>()).Value);
        if (isFatal)
        {
            Volatile.Write(ref _fatalError, new ProducerFailure(code, reason ?? code.ToString(), null, _timeProvider.GetUtcNow()));
        }
    }

    /// <summary>A consistent-enough copy of the counters (each value is read atomically, not all of them at one instant).</summary>
    public ProducerErrorSnapshot GetSnapshot()
    {
        var now = _timeProvider.GetTimestamp();
        var current = now / _bucketTicks;
        var recent = 0L;
        for (var slot = 0; slot < BucketCount; slot++)
        {
            var index = Volatile.Read(ref _bucketIndex[slot]);
            if (index != long.MinValue && current - index < BucketCount && index <= current)
            {
                recent += Volatile.Read(ref _bucketFailures[slot]);
            }
        }

        var lastDelivered = Volatile.Read(ref _lastDeliveredTimestamp);
        var unacknowledged = UnacknowledgedSource?.Invoke() ?? default;
        return new ProducerErrorSnapshot(
            Delivered: Interlocked.Read(ref _delivered),
            Failures: Interlocked.Read(ref _failures),
            RecentFailures: recent,
            Window: Window,
            FailuresByCode: Copy(_failuresByCode),
            ClientErrorsByCode: Copy(_clientErrorsByCode),
            LastFailure: Volatile.Read(ref _lastFailure),
            FatalError: Volatile.Read(ref _fatalError),
            SinceLastDelivery: lastDelivered == long.MinValue ? null : _timeProvider.GetElapsedTime(lastDelivered, now))
        {
            Unacknowledged = unacknowledged.Count,
            OldestUnacknowledgedAge = unacknowledged.OldestAge,
        };
    }

    private static Dictionary<ErrorCode, long> Copy(ConcurrentDictionary<ErrorCode, StrongBox<long>> counts) =>
        counts.ToDictionary(pair => pair.Key, pair => Interlocked.Read(ref pair.Value.Value));
}

/// <summary>One failure: the code, librdkafka's reason, the topic when known, and when it happened.</summary>
public sealed record ProducerFailure(ErrorCode Code, string Reason, string? Topic, DateTimeOffset At);

/// <summary>The counters of <see cref="ProducerErrorTracker"/> at one moment.</summary>
/// <param name="Delivered">Messages acknowledged since start.</param>
/// <param name="Failures">Publishes that failed since start.</param>
/// <param name="RecentFailures">Publishes that failed within <paramref name="Window"/>.</param>
/// <param name="Window">How far back <paramref name="RecentFailures"/> reaches.</param>
/// <param name="FailuresByCode">Failed publishes since start, by error code.</param>
/// <param name="ClientErrorsByCode">Errors the client reported outside any one message, by error code.</param>
/// <param name="LastFailure">The latest failed publish.</param>
/// <param name="FatalError">A fatal client error (the producer cannot go on), if one happened.</param>
/// <param name="SinceLastDelivery">Time since the latest acknowledgement; null before the first.</param>
public sealed record ProducerErrorSnapshot(
    long Delivered,
    long Failures,
    long RecentFailures,
    TimeSpan Window,
    IReadOnlyDictionary<ErrorCode, long> FailuresByCode,
    IReadOnlyDictionary<ErrorCode, long> ClientErrorsByCode,
    ProducerFailure? LastFailure,
    ProducerFailure? FatalError,
    TimeSpan? SinceLastDelivery)
{
    /// <summary>Messages handed to the producer and not yet acknowledged or failed.</summary>
    public int Unacknowledged { get; init; }

    /// <summary>Age of the oldest of <see cref="Unacknowledged"/> (zero when none): grows while a dead broker holds every message.</summary>
    public TimeSpan OldestUnacknowledgedAge { get; init; }
}

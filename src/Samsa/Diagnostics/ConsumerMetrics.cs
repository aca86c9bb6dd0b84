using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Samsa.Consuming.Retry;
using static Samsa.Diagnostics.SamsaInstruments;

namespace Samsa.Diagnostics;

/// <summary>
/// The consumer's instruments, on the meter <see cref="SamsaNames.MeterName"/> (a class of its own beside
/// <see cref="SamsaMetrics"/>, which belongs to the publisher): <see cref="ConsumedMessages"/> and
/// <see cref="ProcessDuration"/> as the OpenTelemetry messaging conventions name them, and Samsa's failure, retry,
/// dead-letter, lag and blocked-partition instruments. <see cref="SamsaInstruments.All"/> lists them.
/// </summary>
/// <remarks>
/// Recording checks <see cref="Instrument.Enabled"/> first, so without a listener an instrument costs a field read and
/// no tags are built. The consumed-messages counter is observable: each partition keeps a <see cref="ConsumedCount"/>
/// and the totals are read when metrics are collected, so the per-record cost is one field increment.
/// </remarks>
internal sealed class ConsumerMetrics : IDisposable
{
    private static readonly KeyValuePair<string, object?> SystemTag = new(Attributes.System, Attributes.Kafka);
    private static readonly KeyValuePair<string, object?> ProcessTag = new(Attributes.OperationName, "process");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<(string Topic, string Group, int Partition), ConsumedCount> _consumed = new();
    private readonly Counter<long> _failures;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _duration;
    private readonly List<Func<ConsumerLagReading>> _lagSources = [];
    private readonly Lock _lagGate = new();

    /// <summary>Where the worker's clients send librdkafka statistics, when they are on.</summary>
    public ClientStatisticsMetrics? ClientStatistics { get; }

    public ConsumerMetrics(IMeterFactory? meterFactory, ClientStatisticsMetrics? clientStatistics = null)
    {
        ClientStatistics = clientStatistics;
        var options = new MeterOptions(SamsaNames.MeterName);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _meter.CreateObservableCounter(ConsumedMessages, ObserveConsumed, unit: "{message}", description: "Records delivered to the consumer's pipeline.");
        _duration = _meter.CreateHistogram<double>(
            ProcessDuration, unit: "s", description: "Time one handler call took; error.type when it threw.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _failures = _meter.CreateCounter<long>(ConsumeFailures, unit: "{call}", description: "Handler calls that threw, by failure kind.");
        _deadLetters = _meter.CreateCounter<long>(DeadLetters, unit: "{record}", description: "Records written to the dead-letter topic, by reason.");
        _retries = _meter.CreateCounter<long>(RetryForwards, unit: "{record}", description: "Records forwarded to a retry topic, by level.");
        _meter.CreateObservableGauge(ConsumerLag, ObserveLag, unit: "{record}", description: "Records in the held partitions not yet handled, per consumer.");
        _meter.CreateObservableGauge(BlockedPartitions, ObserveBlocked, unit: "{partition}", description: "Partitions that cannot write a dead letter or retry copy and make no progress.");
    }

    /// <summary>True when the duration histogram is listened to (the only instrument that needs timestamps).</summary>
    public bool DurationEnabled => _duration.Enabled;

    /// <summary>
    /// The running total of records delivered to the pipeline from one partition, for its processor to increment. A
    /// processor that replaces another on the same partition (after a rebalance) continues the same total, so the
    /// counter stays monotonic.
    /// </summary>
    public ConsumedCount ConsumedCountFor(string topic, string group, int partition) =>
        _consumed.GetOrAdd((topic, group, partition), static key => new ConsumedCount(key.Topic, key.Group, key.Partition));

    public void RecordHandled(string topic, string group, int partition, TimeSpan? duration)
    {
        if (duration is { } elapsed && _duration.Enabled)
        {
            var tags = new TagList { SystemTag, ProcessTag, { Attributes.DestinationName, topic }, { Attributes.ConsumerGroup, group }, { Attributes.PartitionId, PartitionIds.Of(partition) } };
            _duration.Record(elapsed.TotalSeconds, in tags);
        }
    }

    public void RecordFailure(string topic, string group, int partition, FailureKind kind, Exception exception, TimeSpan? duration)
    {
        if (_failures.Enabled)
        {
            _failures.Add(1, new KeyValuePair<string, object?>(Attributes.DestinationName, topic), new KeyValuePair<string, object?>(Attributes.ConsumerGroup, group), new KeyValuePair<string, object?>(Attributes.FailureKind, KindName(kind)));
        }

        if (duration is { } elapsed && _duration.Enabled)
        {
            var tags = new TagList
            {
                SystemTag,
                ProcessTag,
                { Attributes.DestinationName, topic },
                { Attributes.ConsumerGroup, group },
                { Attributes.PartitionId, PartitionIds.Of(partition) },
                { Attributes.ErrorType, exception.GetType().FullName },
            };
            _duration.Record(elapsed.TotalSeconds, in tags);
        }
    }

    public void RecordDeadLettered(string topic, string group, string reason)
    {
        if (_deadLetters.Enabled)
        {
            _deadLetters.Add(1, new KeyValuePair<string, object?>(Attributes.DestinationName, topic), new KeyValuePair<string, object?>(Attributes.ConsumerGroup, group), new KeyValuePair<string, object?>(Attributes.DeadLetterReason, reason));
        }
    }

    public void RecordForwarded(string topic, string group, int level)
    {
        if (_retries.Enabled)
        {
            _retries.Add(1, new KeyValuePair<string, object?>(Attributes.DestinationName, topic), new KeyValuePair<string, object?>(Attributes.ConsumerGroup, group), new KeyValuePair<string, object?>(Attributes.RetryLevel, level));
        }
    }

    /// <summary>Adds a consumer whose lag and blocked partitions the gauges report; the returned object removes it again.</summary>
    public IDisposable AddLagSource(Func<ConsumerLagReading> source)
    {
        lock (_lagGate)
        {
            _lagSources.Add(source);
        }

        return new LagRegistration(this, source);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string KindName(FailureKind kind) => kind switch
    {
        FailureKind.Permanent => "permanent",
        FailureKind.DependencyDown => "dependency_down",
        FailureKind.Fatal => "fatal",
        _ => "transient",
    };

    private ConsumerLagReading[] Readings()
    {
        Func<ConsumerLagReading>[] sources;
        lock (_lagGate)
        {
            sources = [.. _lagSources];
        }

        return [.. sources.Select(source => source())];
    }

    private IEnumerable<Measurement<long>> ObserveConsumed()
    {
        foreach (var count in _consumed.Values)
        {
            var tags = new TagList { SystemTag, ProcessTag, { Attributes.DestinationName, count.Topic }, { Attributes.ConsumerGroup, count.Group }, { Attributes.PartitionId, PartitionIds.Of(count.Partition) } };
            yield return new Measurement<long>(count.Value, in tags);
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag() =>
        Readings().Select(reading => new Measurement<long>(
            reading.Lag, new KeyValuePair<string, object?>(Attributes.DestinationName, reading.Topic), new KeyValuePair<string, object?>(Attributes.ConsumerGroup, reading.Group)));

    private IEnumerable<Measurement<long>> ObserveBlocked() =>
        Readings().Select(reading => new Measurement<long>(
            reading.BlockedPartitions, new KeyValuePair<string, object?>(Attributes.DestinationName, reading.Topic), new KeyValuePair<string, object?>(Attributes.ConsumerGroup, reading.Group)));

    private void RemoveLagSource(Func<ConsumerLagReading> source)
    {
        lock (_lagGate)
        {
            _lagSources.Remove(source);
        }
    }

    private sealed class LagRegistration(ConsumerMetrics owner, Func<ConsumerLagReading> source) : IDisposable
    {
        public void Dispose() => owner.RemoveLagSource(source);
    }
}

/// <summary>One consumer's lag and blocked partitions for the gauges.</summary>
internal readonly record struct ConsumerLagReading(string Topic, string Group, long Lag, int BlockedPartitions);

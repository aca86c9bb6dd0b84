using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Confluent.Kafka;
using static Samsa.Diagnostics.SamsaInstruments;

namespace Samsa.Diagnostics;

/// <summary>
/// The publisher's instruments, on the meter <see cref="SamsaNames.MeterName"/>: <see cref="SentMessages"/> and
/// <see cref="OperationDuration"/> as the OpenTelemetry messaging conventions name them, and the unacknowledged
/// gauges. <see cref="SamsaInstruments.All"/> lists them with their units and attributes.
/// </summary>
/// <remarks>
/// The duration histogram checks <see cref="Instrument.Enabled"/> first, so without a listener it costs one field read.
/// The sent-messages counter is observable: running totals per topic, partition and error are kept here and read when
/// metrics are collected.
/// Created through <see cref="IMeterFactory"/> when the container has one (the host registers it), so the meter is
/// scoped to the container and disposed with it.
/// </remarks>
internal sealed class SamsaMetrics : IDisposable
{
    private static readonly KeyValuePair<string, object?> SystemTag = new(Attributes.System, Attributes.Kafka);
    private static readonly KeyValuePair<string, object?> SendNameTag = new(Attributes.OperationName, "send");
    private static readonly KeyValuePair<string, object?> SendTypeTag = new(Attributes.OperationType, "send");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly ConcurrentDictionary<SentKey, StrongBox<long>> _sent = new();
    private readonly Histogram<double> _duration;
    private readonly List<Func<UnacknowledgedReading>> _unacknowledgedSources = [];
    private readonly Lock _gate = new();

    /// <summary>Where the publisher's producer sends librdkafka statistics, when they are on.</summary>
    public ClientStatisticsMetrics? ClientStatistics { get; }

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    public SamsaMetrics(IMeterFactory? meterFactory, ClientStatisticsMetrics? clientStatistics = null)
    {
        ClientStatistics = clientStatistics;
        var options = new MeterOptions(SamsaNames.MeterName);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _meter.CreateObservableCounter(
            SentMessages, ObserveSent, unit: "{message}", description: "Messages the producer tried to send, counted when Kafka answered; error.type on failures.");
        _duration = _meter.CreateHistogram<double>(
            OperationDuration, unit: "s", description: "Time from publish to Kafka's acknowledgement or failure.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _meter.CreateObservableGauge(
            UnacknowledgedMessages, ObserveUnacknowledged, unit: "{message}", description: "Messages handed to the producer and not yet acknowledged or failed.");
        _meter.CreateObservableGauge(
            OldestUnacknowledgedAge, ObserveOldestAge, unit: "s", description: "Age of the oldest message not yet acknowledged or failed (0 when none).");
    }

    /// <summary>True when anything listens to the publish duration (the only instrument that needs a start timestamp).</summary>
    public bool PublishEnabled => _duration.Enabled;

    /// <summary>Records one publish outcome, and its duration since <paramref name="startTimestamp"/> (<see cref="Stopwatch"/> ticks; 0 for none).</summary>
    public void RecordPublish(string topic, int partition, ErrorCode error, long startTimestamp)
    {
        // The total is kept here and read when metrics are collected (see ObserveSent): a dictionary hit and an
        // increment per message, where a counter measurement would aggregate four attributes in the SDK each time.
        Interlocked.Increment(ref _sent.GetOrAdd(new SentKey(topic, partition, error), static _ => new StrongBox<long>()).Value);
        if (_duration.Enabled && startTimestamp != 0)
        {
            var tags = Tags(topic, partition, error);
            tags.Add(SendTypeTag);
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, in tags);
        }
    }

    public IDisposable AddUnacknowledgedSource(Func<UnacknowledgedReading> source)
    {
        lock (_gate)
        {
            _unacknowledgedSources.Add(source);
        }

        return new Registration(this, source);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static TagList Tags(string topic, int partition, ErrorCode error)
    {
        var tags = new TagList { SystemTag, SendNameTag, { Attributes.DestinationName, topic } };
        if (partition >= 0)
        {
            tags.Add(Attributes.PartitionId, PartitionIds.Of(partition));
        }

        if (error != ErrorCode.NoError)
        {
            tags.Add(Attributes.ErrorType, ErrorCodeNames.Of(error));
        }

        return tags;
    }

    private IEnumerable<Measurement<long>> ObserveSent()
    {
        foreach (var (key, count) in _sent)
        {
            var tags = Tags(key.Topic, key.Partition, key.Error);
            yield return new Measurement<long>(Volatile.Read(ref count.Value), in tags);
        }
    }

    private UnacknowledgedReading[] Readings()
    {
        Func<UnacknowledgedReading>[] sources;
        lock (_gate)
        {
            sources = [.. _unacknowledgedSources];
        }

        return [.. sources.Select(source => source())];
    }

    private IEnumerable<Measurement<long>> ObserveUnacknowledged() =>
        Readings().Select(reading => new Measurement<long>(reading.Count));

    private IEnumerable<Measurement<double>> ObserveOldestAge() =>
        Readings().Select(reading => new Measurement<double>(reading.OldestAge.TotalSeconds));

    private sealed class Registration(SamsaMetrics owner, Func<UnacknowledgedReading> source) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._unacknowledgedSources.Remove(source);
            }
        }
    }

    /// <summary>Error code names, made once, so a tag value is not a new string (or a boxed enum) per failure.</summary>
    internal static class ErrorCodeNames
    {
        private static readonly Dictionary<ErrorCode, string> Names = Enum.GetValues<ErrorCode>().Distinct().ToDictionary(code => code, code => code.ToString());

        public static string Of(ErrorCode code) => Names.TryGetValue(code, out var name) ? name : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>One publisher's unacknowledged messages for the gauges: how many, and the age of the oldest (zero when none).</summary>
/// <summary>What one running total of sent messages is kept for: the attributes <see cref="SamsaInstruments.SentMessages"/> carries.</summary>
internal readonly record struct SentKey(string Topic, int Partition, ErrorCode Error);

internal readonly record struct UnacknowledgedReading(int Count, TimeSpan OldestAge);

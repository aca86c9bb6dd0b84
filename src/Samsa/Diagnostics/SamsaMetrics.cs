using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using static Samsa.Diagnostics.SamsaInstruments;

namespace Samsa.Diagnostics;

/// <summary>
/// The publisher's instruments, on the meter <see cref="SamsaNames.MeterName"/>: <see cref="SentMessages"/> and
/// <see cref="OperationDuration"/> as the OpenTelemetry messaging conventions name them, and the unacknowledged
/// gauges. <see cref="SamsaInstruments.All"/> lists them with their units and attributes.
/// </summary>
/// <remarks>
/// Recording checks <see cref="Instrument.Enabled"/> first, so without a listener an instrument costs one field read.
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
    private readonly Counter<long> _sent;
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
        _sent = _meter.CreateCounter<long>(
            SentMessages, unit: "{message}", description: "Messages the producer tried to send, counted when Kafka answered; error.type on failures.");
        _duration = _meter.CreateHistogram<double>(
            OperationDuration, unit: "s", description: "Time from publish to Kafka's acknowledgement or failure.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _meter.CreateObservableGauge(
            UnacknowledgedMessages, ObserveUnacknowledged, unit: "{message}", description: "Messages handed to the producer and not yet acknowledged or failed.");
        _meter.CreateObservableGauge(
            OldestUnacknowledgedAge, ObserveOldestAge, unit: "s", description: "Age of the oldest message not yet acknowledged or failed (0 when none).");
    }

    /// <summary>True when anything listens to a publish instrument.</summary>
    public bool PublishEnabled => _sent.Enabled || _duration.Enabled;

    /// <summary>Records one publish outcome, and its duration since <paramref name="startTimestamp"/> (<see cref="Stopwatch"/> ticks; 0 for none).</summary>
    public void RecordPublish(string topic, int partition, ErrorCode error, long startTimestamp)
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

        if (_sent.Enabled)
        {
            _sent.Add(1, in tags);
        }

        if (_duration.Enabled && startTimestamp != 0)
        {
            tags.Add(SendTypeTag);
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, in tags);
        }
    }

    /// <summary>Adds a publisher whose unacknowledged messages the gauges report; the returned object removes it again.</summary>
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
internal readonly record struct UnacknowledgedReading(int Count, TimeSpan OldestAge);

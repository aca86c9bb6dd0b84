using System.Diagnostics;
using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Samsa.Diagnostics;

/// <summary>
/// The instruments of the Samsa library, on the meter <see cref="SamsaNames.MeterName"/>. Tags follow the OpenTelemetry
/// messaging conventions (<c>messaging.destination.name</c>, <c>error.type</c>).
/// </summary>
/// <remarks>
/// Recording checks <see cref="Instrument.Enabled"/> first, so without a listener an instrument costs one field read.
/// Created through <see cref="IMeterFactory"/> when the container has one (the host registers it), so the meter is
/// scoped to the container and disposed with it.
/// </remarks>
internal sealed class SamsaMetrics : IDisposable
{
    /// <summary>Tag of the topic.</summary>
    public const string TopicTag = "messaging.destination.name";

    /// <summary>Tag of the error code of a failed publish (<c>Local_MsgTimedOut</c>, <c>UnknownTopicOrPart</c>…).</summary>
    public const string ErrorTypeTag = "error.type";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _publishMessages;
    private readonly Counter<long> _publishErrors;
    private readonly Histogram<double> _publishDuration;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    public SamsaMetrics(IMeterFactory? meterFactory)
    {
        var options = new MeterOptions(SamsaNames.MeterName);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _publishMessages = _meter.CreateCounter<long>(
            "samsa.publish.messages", unit: "{message}", description: "Messages Kafka acknowledged.");
        _publishErrors = _meter.CreateCounter<long>(
            "samsa.publish.errors", unit: "{message}", description: "Publishes that failed, by error code (error.type).");
        _publishDuration = _meter.CreateHistogram<double>(
            "samsa.publish.duration", unit: "s", description: "Time from publish to Kafka's acknowledgement or failure.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary>True when anything listens to a publish instrument.</summary>
    public bool PublishEnabled => _publishMessages.Enabled || _publishErrors.Enabled || _publishDuration.Enabled;

    /// <summary>Records one publish outcome: a message or an error, and its duration since <paramref name="startTimestamp"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void RecordPublish(string topic, ErrorCode error, long startTimestamp)
    {
        var topicTag = new KeyValuePair<string, object?>(TopicTag, topic);
        if (error == ErrorCode.NoError)
        {
            if (_publishMessages.Enabled)
            {
                _publishMessages.Add(1, topicTag);
            }
        }
        else if (_publishErrors.Enabled)
        {
            _publishErrors.Add(1, topicTag, new KeyValuePair<string, object?>(ErrorTypeTag, ErrorCodeNames.Of(error)));
        }

        if (_publishDuration.Enabled && startTimestamp != 0)
        {
            _publishDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, topicTag);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>Error code names, made once, so a tag value is not a new string (or a boxed enum) per failure.</summary>
    private static class ErrorCodeNames
    {
        private static readonly Dictionary<ErrorCode, string> Names = Enum.GetValues<ErrorCode>().Distinct().ToDictionary(code => code, code => code.ToString());

        public static string Of(ErrorCode code) => Names.TryGetValue(code, out var name) ? name : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

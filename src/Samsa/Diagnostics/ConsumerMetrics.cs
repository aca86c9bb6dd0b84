using System.Diagnostics.Metrics;
using Samsa.Consuming.Retry;

namespace Samsa.Diagnostics;

/// <summary>
/// The consumer's instruments, on the meter <see cref="SamsaNames.MeterName"/> (a class of its own beside
/// <see cref="SamsaMetrics"/>, which belongs to the publisher). Tags: <c>messaging.destination.name</c> (the topic the
/// record was read from), <c>messaging.consumer.group.name</c>, and per instrument the failure kind, dead-letter reason
/// or retry level.
/// </summary>
/// <remarks>Recording checks <see cref="Instrument.Enabled"/> first, so without a listener an instrument costs a field read.</remarks>
internal sealed class ConsumerMetrics : IDisposable
{
    public const string TopicTag = "messaging.destination.name";
    public const string GroupTag = "messaging.consumer.group.name";
    public const string KindTag = "samsa.failure.kind";
    public const string ReasonTag = "samsa.dead_letter.reason";
    public const string LevelTag = "samsa.retry.level";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _handled;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _duration;
    private readonly List<Func<ConsumerLagReading>> _lagSources = [];
    private readonly Lock _lagGate = new();

    public ConsumerMetrics(IMeterFactory? meterFactory)
    {
        var options = new MeterOptions(SamsaNames.MeterName);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _handled = _meter.CreateCounter<long>("samsa.consume.handled", unit: "{record}", description: "Records a handler handled.");
        _failures = _meter.CreateCounter<long>("samsa.consume.failures", unit: "{call}", description: "Handler calls that threw, by failure kind.");
        _deadLetters = _meter.CreateCounter<long>("samsa.consume.dead_letters", unit: "{record}", description: "Records written to the dead-letter topic, by reason.");
        _retries = _meter.CreateCounter<long>("samsa.consume.retry_forwards", unit: "{record}", description: "Records forwarded to a retry topic, by level.");
        _duration = _meter.CreateHistogram<double>(
            "samsa.consume.duration", unit: "s", description: "Time one handler call took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30] });
        _meter.CreateObservableGauge("samsa.consume.lag", ObserveLag, unit: "{record}", description: "Records in the held partitions not yet handled, per consumer.");
    }

    /// <summary>True when the duration histogram is listened to (the only instrument that needs timestamps).</summary>
    public bool DurationEnabled => _duration.Enabled;

    public void RecordHandled(string topic, string group, TimeSpan? duration)
    {
        if (_handled.Enabled)
        {
            _handled.Add(1, new KeyValuePair<string, object?>(TopicTag, topic), new KeyValuePair<string, object?>(GroupTag, group));
        }

        if (duration is { } elapsed && _duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TopicTag, topic), new KeyValuePair<string, object?>(GroupTag, group));
        }
    }

    public void RecordFailure(string topic, string group, FailureKind kind, TimeSpan? duration)
    {
        if (_failures.Enabled)
        {
            _failures.Add(1, new KeyValuePair<string, object?>(TopicTag, topic), new KeyValuePair<string, object?>(GroupTag, group), new KeyValuePair<string, object?>(KindTag, KindName(kind)));
        }

        if (duration is { } elapsed && _duration.Enabled)
        {
            _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(TopicTag, topic), new KeyValuePair<string, object?>(GroupTag, group));
        }
    }

    public void RecordDeadLettered(string topic, string group, string reason)
    {
        if (_deadLetters.Enabled)
        {
            _deadLetters.Add(1, new KeyValuePair<string, object?>(TopicTag, topic), new KeyValuePair<string, object?>(GroupTag, group), new KeyValuePair<string, object?>(ReasonTag, reason));
        }
    }

    public void RecordForwarded(string topic, string group, int level)
    {
        if (_retries.Enabled)
        {
            _retries.Add(1, new KeyValuePair<string, object?>(TopicTag, topic), new KeyValuePair<string, object?>(GroupTag, group), new KeyValuePair<string, object?>(LevelTag, level));
        }
    }

    /// <summary>Adds a consumer whose lag the gauge reports; the returned object removes it again.</summary>
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
        _ => "transient",
    };

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        Func<ConsumerLagReading>[] sources;
        lock (_lagGate)
        {
            sources = [.. _lagSources];
        }

        foreach (var source in sources)
        {
            var reading = source();
            yield return new Measurement<long>(reading.Lag, new KeyValuePair<string, object?>(TopicTag, reading.Topic), new KeyValuePair<string, object?>(GroupTag, reading.Group));
        }
    }

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

/// <summary>One consumer's lag for the gauge.</summary>
internal readonly record struct ConsumerLagReading(string Topic, string Group, long Lag);

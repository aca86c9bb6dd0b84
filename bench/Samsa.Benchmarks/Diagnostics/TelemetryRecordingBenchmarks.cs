using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Samsa.Benchmarks.Diagnostics;

/// <summary>
/// What one consumed record's telemetry costs, piece by piece, with the OpenTelemetry SDK listening and exporting to
/// nothing (as <c>NoopTelemetry</c> sets it up for the consume suite): one <c>messaging.process.duration</c>
/// measurement with the five attributes the consumer gives it, the same with fewer attributes, and one
/// <c>process {topic}</c> span. The baseline is what the consumer pays per record with nobody listening: two
/// timestamps. Tells how much of the consume suite's telemetry overhead is the SDK's own per-measurement cost, which no
/// change on Samsa's side can remove while the histogram is recorded per handler call.
/// Run: <c>-- --filter '*TelemetryRecording*'</c>.
/// </summary>
[MemoryDiagnoser]
public class TelemetryRecordingBenchmarks : IDisposable
{
    private const string MeterName = "Samsa.Benchmarks.TelemetryRecording";
    private static readonly KeyValuePair<string, object?> SystemTag = new("messaging.system", "kafka");
    private static readonly KeyValuePair<string, object?> OperationTag = new("messaging.operation.name", "process");

    private Meter _meter = null!;
    private ActivitySource _source = null!;
    private Histogram<double> _histogram = null!;
    private MeterProvider _meters = null!;
    private TracerProvider _tracers = null!;
    private int _partition;

    [GlobalSetup]
    public void Setup()
    {
        _meter = new Meter(MeterName);
        _source = new ActivitySource(MeterName);
        _histogram = _meter.CreateHistogram<double>(
            "messaging.process.duration", unit: "s",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(MeterName)
            .AddReader(new PeriodicExportingMetricReader(new NoopExporter<Metric>(), exportIntervalMilliseconds: 1000))
            .Build();
        _tracers = Sdk.CreateTracerProviderBuilder()
            .AddSource(MeterName)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new NoopExporter<Activity>()))
            .Build();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _tracers?.Dispose();
        _meters?.Dispose();
        _source?.Dispose();
        _meter?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Nobody listening: the consumer still takes a timestamp before and after the handler call.</summary>
    [Benchmark(Baseline = true, Description = "2 timestamps")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet calls benchmarks on an instance.")]
    public long Timestamps() => Stopwatch.GetTimestamp() - Stopwatch.GetTimestamp();

    /// <summary>What <c>ConsumerMetrics.RecordHandled</c> does: five attributes, six partitions in turn.</summary>
    [Benchmark(Description = "histogram, 5 attributes")]
    public void HistogramFiveTags()
    {
        var partition = NextPartition();
        var tags = new TagList { SystemTag, OperationTag, { "messaging.destination.name", "orders" }, { "messaging.consumer.group.name", "billing" }, { "messaging.destination.partition.id", Ids[partition] } };
        _histogram.Record(0.0001, in tags);
    }

    [Benchmark(Description = "histogram, 4 attributes (no partition)")]
    public void HistogramFourTags()
    {
        var tags = new TagList { SystemTag, OperationTag, { "messaging.destination.name", "orders" }, { "messaging.consumer.group.name", "billing" } };
        _histogram.Record(0.0001, in tags);
    }

    [Benchmark(Description = "histogram, 0 attributes")]
    public void HistogramNoTags() => _histogram.Record(0.0001);

    /// <summary>A sampled span with the attributes a process span carries, started and stopped.</summary>
    [Benchmark(Description = "process span, sampled")]
    public void ProcessSpan()
    {
        using var activity = _source.StartActivity("process orders", ActivityKind.Consumer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "kafka");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.destination.name", "orders");
            activity.SetTag("messaging.consumer.group.name", "billing");
            activity.SetTag("messaging.destination.partition.id", Ids[NextPartition()]);
            activity.SetTag("messaging.kafka.offset", 42L);
        }
    }

    private static readonly string[] Ids = ["0", "1", "2", "3", "4", "5"];

    private int NextPartition() => _partition = (_partition + 1) % Ids.Length;

    private sealed class NoopExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}

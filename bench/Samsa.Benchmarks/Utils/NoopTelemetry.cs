using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Samsa.Diagnostics;

namespace Samsa.Benchmarks.Utils;

/// <summary>
/// The OpenTelemetry SDK listening to Samsa's meter and activity source as a service would (every span sampled, metrics
/// collected every second) but exporting to nothing, so a benchmark measures what recording costs.
/// </summary>
internal sealed class NoopTelemetry : IDisposable
{
    private readonly MeterProvider _meters;
    private readonly TracerProvider? _tracers;

    private NoopTelemetry(MeterProvider meters, TracerProvider? tracers)
    {
        _meters = meters;
        _tracers = tracers;
    }

    /// <summary>Starts the SDK for metrics, and for traces too unless <paramref name="traces"/> is false.</summary>
    public static NoopTelemetry Start(bool traces = true) => new(
        Sdk.CreateMeterProviderBuilder()
            .AddMeter(SamsaNames.MeterName)
            .AddReader(new PeriodicExportingMetricReader(new NoopExporter<Metric>(), exportIntervalMilliseconds: 1000))
            .Build(),
        traces
            ? Sdk.CreateTracerProviderBuilder()
                .AddSource(SamsaNames.ActivitySourceName)
                .SetSampler(new AlwaysOnSampler())
                .AddProcessor(new BatchActivityExportProcessor(new NoopExporter<Activity>()))
                .Build()
            : null);

    public void Dispose()
    {
        _tracers?.Dispose();
        _meters.Dispose();
    }

    private sealed class NoopExporter<T> : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}

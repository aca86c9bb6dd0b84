using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Samsa.Diagnostics;

namespace Samsa.EventService.Telemetry;

/// <summary>
/// The service's OpenTelemetry SDK wiring: Samsa's meter and activity source, ASP.NET Core and runtime instrumentation,
/// a Prometheus scrape endpoint at <see cref="MetricsPath"/>, and OTLP export of metrics and traces when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a per-signal endpoint) is set; the other <c>OTEL_*</c> variables
/// (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_BSP_SCHEDULE_DELAY</c>…) are read by the SDK as usual.
/// </summary>
internal static class TelemetryExtensions
{
    /// <summary>Where Prometheus scrapes.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The service name when <c>OTEL_SERVICE_NAME</c> is not set.</summary>
    public const string DefaultServiceName = "samsa-eventservice";

    private static readonly string[] OtlpEndpointKeys =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    ];

    public static WebApplicationBuilder AddEventServiceTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(DefaultServiceName);
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(SamsaNames.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(SamsaNames.ActivitySourceName)
                .AddAspNetCoreInstrumentation(options => options.Filter = context =>
                    !context.Request.Path.StartsWithSegments(MetricsPath, StringComparison.Ordinal)
                    && !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal)));

        // Without an endpoint the exporter would send to localhost:4317 and log failures: export only when asked to.
        if (OtlpEndpointKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key])))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    public static WebApplication MapTelemetryEndpoints(this WebApplication app)
    {
        // Scrapers send an API key with the read scope (Prometheus: authorization { type: ApiKey, credentials: ... }).
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(Samsa.AspNetCore.Security.OperationsPolicies.Read);
        return app;
    }
}

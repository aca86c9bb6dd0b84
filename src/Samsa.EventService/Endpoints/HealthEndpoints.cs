using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Samsa.AspNetCore.Security;
using Samsa.Diagnostics;

namespace Samsa.EventService.Endpoints;

/// <summary>
/// <c>GET /health/live</c>: the process is up and serving; it runs only checks tagged <c>live</c> and none of Kafka's,
/// so a Kafka outage never gets the pod restarted. <c>GET /health/ready</c>: the checks tagged <c>ready</c> (the broker
/// check and the producer error check); 200 when Healthy or Degraded, 503 when Unhealthy. Both answer JSON. Everyone gets
/// the status code and the overall status; the checks (descriptions, errors, broker addresses) only callers that meet
/// <see cref="OperationsPolicies.Read"/> (everyone in Development).
/// </summary>
internal static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(SamsaNames.LiveTag),
            ResponseWriter = WriteAsync,
        });
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(SamsaNames.ReadyTag),
            ResponseWriter = WriteAsync,
        });
        return endpoints;
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var details = context.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment()
            || await OperationsAccess.IsAllowedAsync(context, OperationsPolicies.Read);
        if (!details)
        {
            await JsonSerializer.SerializeAsync(context.Response.Body, new { status = report.Status.ToString() }, JsonSerializerOptions.Web, context.RequestAborted);
            return;
        }

        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(entry => new
            {
                name = entry.Key,
                status = entry.Value.Status.ToString(),
                description = entry.Value.Description,
                durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
                error = entry.Value.Exception?.Message,
                data = entry.Value.Data.Count == 0 ? null : entry.Value.Data,
            }),
        };
        await JsonSerializer.SerializeAsync(context.Response.Body, body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}

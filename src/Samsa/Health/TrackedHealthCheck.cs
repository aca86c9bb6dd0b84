using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Samsa.Health;

/// <summary>
/// Runs a Samsa health check and passes its result through <see cref="HealthHistory"/>, so every entry shows when it
/// last succeeded and last failed, and a status change is logged once, whoever ran the check.
/// </summary>
internal sealed class TrackedHealthCheck(string name, IHealthCheck inner, HealthHistory history) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthCheckResult result;
        try
        {
            result = await inner.CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            result = new HealthCheckResult(context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy, $"The check threw: {exception.Message}", exception);
        }

        return history.Record(name, result);
    }
}

using System.Runtime.CompilerServices;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Samsa.Health;

/// <summary>
/// The latest result of <see cref="KafkaHealthCheck"/>, which only <see cref="HealthRefreshService"/> runs. As a health
/// check it answers from that result at once and never talks to Kafka, so <c>/health/ready</c> cannot hang on a broker
/// that does not answer. Until the first check finishes it reports Degraded.
/// </summary>
internal sealed class KafkaHealthCache : IHealthCheck
{
    private StrongBox<HealthCheckResult>? _latest;

    /// <summary>Stores the result of the latest check.</summary>
    public void Set(HealthCheckResult result) => Volatile.Write(ref _latest, new StrongBox<HealthCheckResult>(result));

    /// <summary>The result of the latest check, if one finished.</summary>
    public HealthCheckResult? Latest => Volatile.Read(ref _latest)?.Value;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var latest = Latest;
        if (latest is not { } result)
        {
            return Task.FromResult(HealthCheckResult.Degraded("The first Kafka check has not finished yet."));
        }

        // The probe ran without a registration; the registration decides what a failure is.
        if (result.Status == HealthStatus.Unhealthy && context?.Registration?.FailureStatus is { } failureStatus)
        {
            result = new HealthCheckResult(failureStatus, result.Description, result.Exception, result.Data);
        }

        return Task.FromResult(result);
    }
}

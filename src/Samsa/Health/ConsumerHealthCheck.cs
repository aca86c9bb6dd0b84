using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Samsa.Consuming;

namespace Samsa.Health;

/// <summary>
/// The health of one consumer registration (<see cref="ConsumerDefaults.HealthCheckName"/>, tagged ready). Unhealthy
/// (the registration's failure status) when the worker stopped or faulted, or when a partition cannot write a dead
/// letter or retry copy (it then makes no progress, and nothing past the record is committed); Degraded while starting
/// or while a handler's dependency is down; Healthy otherwise. The data holds the state, the assigned partitions, the
/// lag, the age of the oldest unhandled record and the counters. It reads atomics only and never throws.
/// </summary>
internal sealed class ConsumerHealthCheck : IHealthCheck
{
    private readonly ConsumerWorker _worker;
    private readonly Monitoring.ConsumerLagMonitor? _lagMonitor;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the check of <paramref name="worker"/>.</summary>
    public ConsumerHealthCheck(ConsumerWorker worker)
        : this(worker, null, TimeProvider.System)
    {
    }

    /// <summary>Creates the check of <paramref name="worker"/>, with the lag thresholds of <paramref name="lagMonitor"/> applied to its readings.</summary>
    internal ConsumerHealthCheck(ConsumerWorker worker, Monitoring.ConsumerLagMonitor? lagMonitor, TimeProvider timeProvider)
    {
        _worker = worker;
        _lagMonitor = lagMonitor;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failureStatus = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        try
        {
            return Task.FromResult(Evaluate(_worker.GetStatus(), failureStatus, _lagMonitor?.Latest, _lagMonitor?.Options, _timeProvider.GetUtcNow()));
        }
        catch (Exception exception)
        {
            return Task.FromResult(new HealthCheckResult(failureStatus, "The consumer's status could not be read.", exception));
        }
    }

    /// <summary>The result for <paramref name="status"/> (separate for tests).</summary>
    internal static HealthCheckResult Evaluate(ConsumerStatus status, HealthStatus failureStatus) =>
        Evaluate(status, failureStatus, null, null, default);

    /// <summary>The result for <paramref name="status"/> and the lag monitor's <paramref name="report"/> judged by <paramref name="thresholds"/>.</summary>
    internal static HealthCheckResult Evaluate(
        ConsumerStatus status, HealthStatus failureStatus, Monitoring.LagReport? report, Monitoring.LagMonitorOptions? thresholds, DateTimeOffset now)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["state"] = status.State.ToString(),
            ["topic"] = status.Topic,
            ["group"] = status.GroupId,
            ["partitions"] = string.Join(",", status.AssignedPartitions),
            ["lag"] = status.Lag,
            ["handled"] = status.Handled,
            ["deadLettered"] = status.DeadLettered,
            ["forwardedToRetry"] = status.ForwardedToRetry,
            ["blockedPartitions"] = status.BlockedPartitions,
            ["dependencyDownPartitions"] = status.DependencyDownPartitions,
            ["pausedPartitions"] = status.PausedPartitions,
        };
        if (status.OldestUnhandledAge is { } age)
        {
            data["oldestUnhandledSeconds"] = Math.Round(age.TotalSeconds, 3);
        }

        if (status.LastCommit is { } commit)
        {
            data["lastCommit"] = commit.ToString("O", CultureInfo.InvariantCulture);
        }

        var name = $"Consumer of {status.Topic} in group {status.GroupId}";
        switch (status.State)
        {
            case ConsumerWorkerState.Faulted:
                return new HealthCheckResult(failureStatus, $"{name} stopped on an error: {status.Fault?.Message}", status.Fault, data);
            case ConsumerWorkerState.Stopped or ConsumerWorkerState.Stopping:
                return new HealthCheckResult(failureStatus, $"{name} is {status.State.ToString().ToLowerInvariant()}.", null, data);
            case ConsumerWorkerState.Created or ConsumerWorkerState.Starting:
                return HealthCheckResult.Degraded($"{name} is starting.", null, data);
        }

        if (status.BlockedPartitions > 0)
        {
            data["lastForwardError"] = status.LastForwardError ?? string.Empty;
            return new HealthCheckResult(
                failureStatus,
                $"{name}: {status.BlockedPartitions} partition(s) cannot write a dead letter or retry copy ({status.LastForwardError}); they make no progress and commit nothing past it.",
                null,
                data);
        }

        var lag = report is null || thresholds is null ? null : Monitoring.LagThresholds.Judge(report, thresholds, status.GroupId, status.Topic, now, failureStatus, data);
        if (lag is { Status: var lagStatus } && lagStatus == failureStatus)
        {
            return new HealthCheckResult(failureStatus, $"{name}: {lag.Value.Description}", null, data);
        }

        if (status.DependencyDownPartitions > 0)
        {
            return HealthCheckResult.Degraded($"{name}: {status.DependencyDownPartitions} partition(s) paused while the handler's dependency is down.", null, data);
        }

        if (lag is { } degraded)
        {
            return HealthCheckResult.Degraded($"{name}: {degraded.Description}", null, data);
        }

        return HealthCheckResult.Healthy($"{name}: {status.AssignedPartitions.Count} partition(s), lag {status.Lag}.", data);
    }
}

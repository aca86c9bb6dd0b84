using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Samsa.Publishing;

namespace Samsa.Health;

/// <summary>
/// Reports the publisher's recent delivery failures (<see cref="ProducerErrorTracker"/>): Healthy below
/// <see cref="PublisherOptions.DegradedFailureThreshold"/> failures in <see cref="PublisherOptions.HealthWindow"/>,
/// Degraded from there or while the oldest unacknowledged message is older than
/// <see cref="PublisherOptions.UnacknowledgedAgeThreshold"/>, Unhealthy from <see cref="PublisherOptions.UnhealthyFailureThreshold"/> or after a fatal
/// producer error. The data holds the counters by error code. It reads atomics only and never throws.
/// </summary>
internal sealed class ProducerErrorsHealthCheck : IHealthCheck
{
    private readonly ProducerErrorTracker _tracker;
    private readonly PublisherOptions _options;

    /// <summary>Creates the check over <paramref name="tracker"/> with the thresholds of <paramref name="options"/>.</summary>
    public ProducerErrorsHealthCheck(ProducerErrorTracker tracker, IOptions<PublisherOptions> options)
    {
        _tracker = tracker;
        _options = options.Value;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult(Evaluate(_tracker.GetSnapshot(), _options, context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy));
        }
        catch (Exception ex)
        {
            return Task.FromResult(new HealthCheckResult(HealthStatus.Degraded, "Producer error counters could not be read.", ex));
        }
    }

    /// <summary>The status for <paramref name="snapshot"/> (separate for tests).</summary>
    internal static HealthCheckResult Evaluate(ProducerErrorSnapshot snapshot, PublisherOptions options, HealthStatus failureStatus)
    {
        var data = new Dictionary<string, object>
        {
            ["delivered"] = snapshot.Delivered,
            ["failures"] = snapshot.Failures,
            ["recentFailures"] = snapshot.RecentFailures,
            ["windowSeconds"] = snapshot.Window.TotalSeconds,
        };
        foreach (var (code, count) in snapshot.FailuresByCode)
        {
            data["failures." + code] = count;
        }

        foreach (var (code, count) in snapshot.ClientErrorsByCode)
        {
            data["clientErrors." + code] = count;
        }

        if (snapshot.LastFailure is { } last)
        {
            data["lastFailure"] = $"{last.Code}: {last.Reason}";
            data["lastFailureAt"] = last.At.ToString("O", CultureInfo.InvariantCulture);
        }

        data["unacknowledged"] = snapshot.Unacknowledged;
        data["oldestUnacknowledgedSeconds"] = Math.Round(snapshot.OldestUnacknowledgedAge.TotalSeconds, 3);
        if (snapshot.SinceLastDelivery is { } since)
        {
            data["secondsSinceLastDelivery"] = Math.Round(since.TotalSeconds, 3);
        }

        if (snapshot.FatalError is { } fatal)
        {
            return new HealthCheckResult(failureStatus, $"The Kafka producer hit a fatal error and cannot publish: {fatal.Code}: {fatal.Reason}", null, data);
        }

        var window = snapshot.Window.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{snapshot.Window.TotalMinutes:0.#} min")
            : string.Create(CultureInfo.InvariantCulture, $"{snapshot.Window.TotalSeconds:0.#} s");
        if (snapshot.RecentFailures >= options.UnhealthyFailureThreshold)
        {
            return new HealthCheckResult(failureStatus, $"{snapshot.RecentFailures} publishes failed in the last {window} (threshold {options.UnhealthyFailureThreshold}).", null, data);
        }

        if (snapshot.Unacknowledged > 0 && snapshot.OldestUnacknowledgedAge >= options.UnacknowledgedAgeThreshold)
        {
            return HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"{snapshot.Unacknowledged} message(s) not acknowledged; the oldest was handed over {snapshot.OldestUnacknowledgedAge.TotalSeconds:0.#} s ago (threshold {options.UnacknowledgedAgeThreshold.TotalSeconds:0.#} s)."),
                null,
                data);
        }

        if (snapshot.RecentFailures >= options.DegradedFailureThreshold)
        {
            return HealthCheckResult.Degraded($"{snapshot.RecentFailures} publishes failed in the last {window}.", null, data);
        }

        return HealthCheckResult.Healthy($"No publish failed in the last {window}.", data);
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Samsa.Diagnostics;

namespace Samsa.Health;

/// <summary>
/// Logs each health check whose status changed since the last report (the first report of each counts as a change):
/// Information when it became Healthy, Warning when Degraded, Error when Unhealthy. Registered with the host's
/// periodic publisher, which runs the checks every 30 s after a 5 s delay.
/// </summary>
internal sealed class HealthStatusLogPublisher : IHealthCheckPublisher
{
    private readonly ConcurrentDictionary<string, HealthStatus> _last = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public HealthStatusLogPublisher(ILogger<HealthStatusLogPublisher> logger)
    {
        _logger = logger;
    }

    /// <inheritdoc />
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries)
        {
            var known = _last.TryGetValue(name, out var previous);
            if (known && previous == entry.Status)
            {
                continue;
            }

            _last[name] = entry.Status;
            var level = entry.Status switch
            {
                HealthStatus.Healthy => LogLevel.Information,
                HealthStatus.Degraded => LogLevel.Warning,
                _ => LogLevel.Error,
            };
            if (_logger.IsEnabled(level))
            {
                var status = entry.Status.ToString();
                var was = known ? previous.ToString() : "Unknown";
                Log.HealthStatusChanged(_logger, level, name, status, was, entry.Description);
            }
        }

        return Task.CompletedTask;
    }
}

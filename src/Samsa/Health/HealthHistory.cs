using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Samsa.Diagnostics;

namespace Samsa.Health;

/// <summary>
/// What each Samsa health check last said, and when it last succeeded and last failed: the one owner of that state.
/// Every result passes through <see cref="Record"/>, which adds <c>checkedAt</c>, <c>lastSuccess</c>, <c>lastError</c>
/// and <c>lastErrorAt</c> to its data and logs one line when the status differs from the previous one (the first
/// result counts as a change): Information when Healthy, Warning when Degraded, Error when Unhealthy. The
/// <c>samsa.health.status</c> gauge reports each check's latest status.
/// </summary>
internal sealed class HealthHistory : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public HealthHistory(TimeProvider timeProvider, ILogger<HealthHistory> logger, IMeterFactory? meterFactory = null)
    {
        _timeProvider = timeProvider;
        _logger = logger;
        var options = new MeterOptions(SamsaNames.MeterName);
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _ownsMeter = meterFactory is null;
        _meter.CreateObservableGauge(
            SamsaInstruments.HealthStatus, ObserveStatus, unit: "{status}", description: "Each Samsa health check's latest status: 2 Healthy, 1 Degraded, 0 Unhealthy.");
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private IEnumerable<Measurement<int>> ObserveStatus()
    {
        List<Measurement<int>> statuses;
        lock (_gate)
        {
            statuses = [.. _entries.Where(e => e.Value.Status is not null).Select(e => new Measurement<int>(
                (int)e.Value.Status!.Value, new KeyValuePair<string, object?>(SamsaInstruments.Attributes.HealthCheck, e.Key)))];
        }

        return statuses;
    }

    /// <summary>Records <paramref name="result"/> of check <paramref name="name"/>; returns it with the history in its data.</summary>
    public HealthCheckResult Record(string name, HealthCheckResult result)
    {
        var now = _timeProvider.GetUtcNow();
        HealthStatus? previous;
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(name, out entry!))
            {
                entry = new Entry();
                _entries[name] = entry;
            }

            previous = entry.Status;
            entry.Status = result.Status;
            entry.CheckedAt = now;
            if (result.Status == HealthStatus.Healthy)
            {
                entry.LastSuccess = now;
            }
            else
            {
                entry.LastError = result.Exception?.Message is { Length: > 0 } message && result.Description is null ? message : result.Description ?? result.Status.ToString();
                entry.LastErrorAt = now;
            }

            entry = entry.Copy();
        }

        if (previous != result.Status)
        {
            var level = result.Status switch
            {
                HealthStatus.Healthy => LogLevel.Information,
                HealthStatus.Degraded => LogLevel.Warning,
                _ => LogLevel.Error,
            };
            if (_logger.IsEnabled(level))
            {
                var status = result.Status.ToString();
                var was = previous?.ToString() ?? "Unknown";
                Log.HealthStatusChanged(_logger, level, name, status, was, result.Description);
            }
        }

        var data = new Dictionary<string, object>(result.Data, StringComparer.Ordinal)
        {
            ["checkedAt"] = Format(entry.CheckedAt),
        };
        if (entry.LastSuccess is { } success)
        {
            data["lastSuccess"] = Format(success);
        }

        if (entry.LastErrorAt is { } errorAt)
        {
            data["lastError"] = entry.LastError ?? string.Empty;
            data["lastErrorAt"] = Format(errorAt);
        }

        return new HealthCheckResult(result.Status, result.Description, result.Exception, data);
    }

    private static string Format(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty;

    private sealed class Entry
    {
        public HealthStatus? Status { get; set; }

        public DateTimeOffset? CheckedAt { get; set; }

        public DateTimeOffset? LastSuccess { get; set; }

        public string? LastError { get; set; }

        public DateTimeOffset? LastErrorAt { get; set; }

        public Entry Copy() => (Entry)MemberwiseClone();
    }
}

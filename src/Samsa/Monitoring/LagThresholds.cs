using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Samsa.Consuming.Retry;

namespace Samsa.Monitoring;

/// <summary>
/// Judges one consumer's partitions in a <see cref="LagReport"/> against <see cref="LagMonitorOptions"/>: the worst
/// partition over an Unhealthy threshold makes it the failure status, over a Degraded one (or stuck) Degraded; the
/// description names the partition and its figures.
/// </summary>
internal static class LagThresholds
{
    public static (HealthStatus Status, string Description)? Judge(
        LagReport report, LagMonitorOptions options, string group, string topic, DateTimeOffset now, HealthStatus failureStatus, IDictionary<string, object> data)
    {
        var retryPrefix = topic + RetryTopicNames.RetrySuffix;
        var partitions = report.PartitionsOf(group, t => t == topic || t.StartsWith(retryPrefix, StringComparison.Ordinal)).ToList();
        data["brokerLag"] = partitions.Sum(p => p.Lag ?? 0);
        data["brokerLagReadAt"] = report.At.ToString("O", CultureInfo.InvariantCulture);
        if (report.Error is not null)
        {
            data["brokerLagError"] = report.Error;
        }

        (HealthStatus Status, string Description)? worst = null;
        foreach (var partition in partitions)
        {
            var lag = partition.Lag ?? 0;
            var timeLag = partition.TimeLag(now);
            var where = string.Create(CultureInfo.InvariantCulture, $"{partition.Topic}[{partition.Partition}]");
            var figures = string.Create(CultureInfo.InvariantCulture, $"lag {lag} record(s), committed {partition.Committed?.ToString(CultureInfo.InvariantCulture) ?? "none"}, end {partition.End}")
                + (timeLag is { } age ? string.Create(CultureInfo.InvariantCulture, $", oldest unconsumed record {age.TotalSeconds:0.#} s old") : string.Empty);
            if (options.UnhealthyLag is { } unhealthyLag && lag >= unhealthyLag)
            {
                return (failureStatus, string.Create(CultureInfo.InvariantCulture, $"{where} {figures} (unhealthy from {unhealthyLag} records)."));
            }

            if (options.UnhealthyTimeLag is { } unhealthyAge && timeLag >= unhealthyAge)
            {
                return (failureStatus, string.Create(CultureInfo.InvariantCulture, $"{where} {figures} (unhealthy from {unhealthyAge.TotalSeconds:0.#} s)."));
            }

            if (worst is not null)
            {
                continue;
            }

            if (options.DegradedLag is { } degradedLag && lag >= degradedLag)
            {
                worst = (HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"{where} {figures} (degraded from {degradedLag} records)."));
            }
            else if (options.DegradedTimeLag is { } degradedAge && timeLag >= degradedAge)
            {
                worst = (HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"{where} {figures} (degraded from {degradedAge.TotalSeconds:0.#} s)."));
            }
            else if (partition.Stuck)
            {
                worst = (HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"{where} is stuck: {figures}, no progress for {options.StuckIntervals} reading(s) or no members."));
            }
        }

        return worst;
    }
}

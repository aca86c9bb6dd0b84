using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Samsa.Health;

namespace Samsa.Tests.Health;

public sealed class HealthHistoryTests
{
    [Fact]
    public void Record_StatusChanges_LogsOnlyChangesAtMatchingLevel()
    {
        var logger = new FakeLogger<HealthHistory>();
        var history = new HealthHistory(new FakeTimeProvider(), logger);

        history.Record("kafka", HealthCheckResult.Healthy("3 broker(s)"));
        history.Record("kafka", HealthCheckResult.Healthy("3 broker(s)"));
        history.Record("kafka", HealthCheckResult.Unhealthy("no answer"));
        history.Record("kafka", HealthCheckResult.Unhealthy("no answer"));
        history.Record("kafka", HealthCheckResult.Degraded("slow"));

        var records = logger.Collector.GetSnapshot();
        Assert.Equal([LogLevel.Information, LogLevel.Error, LogLevel.Warning], records.Select(r => r.Level));
        Assert.Equal("Health check kafka is now Healthy (was Unknown): 3 broker(s)", records[0].Message);
        Assert.Equal("Health check kafka is now Unhealthy (was Healthy): no answer", records[1].Message);
        Assert.All(records, r => Assert.Equal(2020, r.Id.Id));
    }

    [Fact]
    public void Record_FailureAfterSuccess_DataShowsLastSuccessAndLastErrorWithTimes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var history = new HealthHistory(time, new FakeLogger<HealthHistory>());

        var first = history.Record("kafka", HealthCheckResult.Healthy("ok", new Dictionary<string, object> { ["brokers"] = 1 }));
        time.Advance(TimeSpan.FromSeconds(30));
        var second = history.Record("kafka", HealthCheckResult.Unhealthy("The cluster did not answer"));

        Assert.Equal(1, first.Data["brokers"]);
        Assert.False(first.Data.ContainsKey("lastError"));
        Assert.Equal("2026-01-02T03:04:05.0000000+00:00", second.Data["lastSuccess"]);
        Assert.Equal("The cluster did not answer", second.Data["lastError"]);
        Assert.Equal("2026-01-02T03:04:35.0000000+00:00", second.Data["lastErrorAt"]);
        Assert.Equal("2026-01-02T03:04:35.0000000+00:00", second.Data["checkedAt"]);
    }
}

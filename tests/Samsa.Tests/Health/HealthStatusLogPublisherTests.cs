using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Samsa.Health;

namespace Samsa.Tests.Health;

public class HealthStatusLogPublisherTests
{
    [Fact]
    public async Task PublishAsync_StatusChanges_LogsOnlyChangesAtMatchingLevel()
    {
        var logger = new FakeLogger<HealthStatusLogPublisher>();
        var publisher = new HealthStatusLogPublisher(logger);

        await publisher.PublishAsync(Report(HealthStatus.Healthy, "3 broker(s)"), CancellationToken.None);
        await publisher.PublishAsync(Report(HealthStatus.Healthy, "3 broker(s)"), CancellationToken.None);
        await publisher.PublishAsync(Report(HealthStatus.Unhealthy, "no answer"), CancellationToken.None);
        await publisher.PublishAsync(Report(HealthStatus.Degraded, "slow"), CancellationToken.None);

        var records = logger.Collector.GetSnapshot();
        Assert.Equal([LogLevel.Information, LogLevel.Error, LogLevel.Warning], records.Select(r => r.Level));
        Assert.Equal("Health check kafka is now Healthy (was Unknown): 3 broker(s)", records[0].Message);
        Assert.Equal("Health check kafka is now Unhealthy (was Healthy): no answer", records[1].Message);
        Assert.All(records, r => Assert.Equal(2020, r.Id.Id));
    }

    private static HealthReport Report(HealthStatus status, string description) =>
        new(new Dictionary<string, HealthReportEntry>
        {
            ["kafka"] = new(status, description, TimeSpan.FromMilliseconds(3), null, null),
        }, TimeSpan.FromMilliseconds(3));
}

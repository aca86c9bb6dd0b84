using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Samsa.Health;
using Samsa.Publishing;

namespace Samsa.Tests.Publishing;

public sealed class ProducerErrorsHealthCheckTests
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 8, 21, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task CheckHealthAsync_NoFailures_IsHealthyWithCounters()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(5));
        tracker.RecordDelivered();

        var result = await Check(tracker, new PublisherOptions());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(1L, result.Data["delivered"]);
        Assert.Equal(0L, result.Data["recentFailures"]);
    }

    [Fact]
    public async Task CheckHealthAsync_FailuresAtDegradedThreshold_IsDegradedWithCountsByCode()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(5));
        tracker.RecordFailure(ErrorCode.Local_MsgTimedOut, "Message timed out", "orders");
        tracker.RecordFailure(ErrorCode.Local_MsgTimedOut, "Message timed out", "orders");

        var result = await Check(tracker, new PublisherOptions { DegradedFailureThreshold = 2, UnhealthyFailureThreshold = 3 });

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(2L, result.Data["failures.Local_MsgTimedOut"]);
        Assert.Equal("Local_MsgTimedOut: Message timed out", result.Data["lastFailure"]);
        Assert.Contains("2 publishes failed in the last 5 min", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_FailuresAtUnhealthyThreshold_IsUnhealthy()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(5));
        for (var i = 0; i < 3; i++)
        {
            tracker.RecordFailure(ErrorCode.NotEnoughReplicas, null, "orders");
        }

        var result = await Check(tracker, new PublisherOptions { DegradedFailureThreshold = 1, UnhealthyFailureThreshold = 3 });

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("threshold 3", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealthAsync_FailuresOutsideWindow_IsHealthyAgain()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(1));
        tracker.RecordFailure(ErrorCode.Local_Transport, null, null);
        _time.Advance(TimeSpan.FromMinutes(2));

        var result = await Check(tracker, new PublisherOptions());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(1L, result.Data["failures"]);
    }

    [Fact]
    public async Task CheckHealthAsync_FatalProducerError_IsUnhealthyWhateverTheCounts()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(1));
        tracker.RecordClientError(ErrorCode.Local_Fatal, "producer fenced", isFatal: true);

        var result = await Check(tracker, new PublisherOptions());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("producer fenced", result.Description, StringComparison.Ordinal);
    }

    private static Task<HealthCheckResult> Check(ProducerErrorTracker tracker, PublisherOptions options)
    {
        var check = new ProducerErrorsHealthCheck(tracker, Options.Create(options));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("kafka-producer", check, HealthStatus.Unhealthy, ["ready"]) };
        return check.CheckHealthAsync(context);
    }
}

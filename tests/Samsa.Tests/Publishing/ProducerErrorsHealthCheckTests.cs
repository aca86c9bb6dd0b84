using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Samsa.Health;
using Samsa.Publishing;

namespace Samsa.Tests.Publishing;

public sealed class ProducerErrorsHealthCheckTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 8, 21, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task CheckHealthAsync_BrokerStoppedAndMessageUnacknowledgedPastThreshold_IsDegradedBeforeAnyReport()
    {
        await using var broker = await Samsa.TestUtils.EmbeddedBroker.StartAsync(o => o.SeedTopics["unacked"] = 1);
        await broker.Broker.StopNodeAsync(0);
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(5));
        var options = new PublisherOptions { UnacknowledgedAgeThreshold = TimeSpan.FromSeconds(30) };
        Samsa.TestUtils.NativeKafka.EnsureLoaded();
        await using var publisher = new EventPublisher(
            () => new ProducerConfig { BootstrapServers = broker.BootstrapServers, MessageTimeoutMs = 60_000, EnableIdempotence = false },
            options,
            tracker,
            null,
            null,
            _time);

        publisher.Publish(new OrderPlaced("o-1", 1m, "c"), new PublishOptions { Topic = "unacked" });
        var fresh = await Check(tracker, options);
        _time.Advance(TimeSpan.FromSeconds(31));
        var stale = await Check(tracker, options);

        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.Equal(1, fresh.Data["unacknowledged"]);
        Assert.Equal(HealthStatus.Degraded, stale.Status);
        Assert.Contains("1 message(s) not acknowledged; the oldest was handed over 31 s ago (threshold 30 s)", stale.Description, StringComparison.Ordinal);
        Assert.Equal(31.0, stale.Data["oldestUnacknowledgedSeconds"]);
        Assert.Equal(0L, stale.Data["failures"]);
    }

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

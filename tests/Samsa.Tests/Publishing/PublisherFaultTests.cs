using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Samsa.Health;
using Samsa.Publishing;
using Samsa.Testing.Faults;
using Samsa.TestUtils;
using static Samsa.Tests.Publishing.PublishingTestSupport;
using BrokerError = Samsa.Protocol.ErrorCode;
using ProtocolApi = Samsa.Protocol.ApiKey;

namespace Samsa.Tests.Publishing;

/// <summary>
/// The publisher against broker errors injected by code through Samsa.Testing (<c>broker.Cluster.Faults</c>):
/// what reaches the caller, what the error tracking and health check count, and what the topic holds afterwards.
/// </summary>
public sealed class PublisherFaultTests
{
    /// <remarks>
    /// After TOPIC_AUTHORIZATION_FAILED librdkafka marks the topic as failed and refuses further produce calls
    /// for it until its next metadata refresh, so that case does not publish again.
    /// </remarks>
    [Theory]
    [InlineData(BrokerError.PolicyViolation, ErrorCode.PolicyViolation, false, true)]
    [InlineData(BrokerError.PolicyViolation, ErrorCode.PolicyViolation, true, true)]
    [InlineData(BrokerError.InvalidRecord, ErrorCode.InvalidRecord, false, true)]
    [InlineData(BrokerError.TopicAuthorizationFailed, ErrorCode.TopicAuthorizationFailed, false, false)]
    public async Task PublishAsync_BrokerRejectsTheProduceWithANonRetriableError_CallerGetsThatCodeAndTrackingCountsIt(BrokerError injected, ErrorCode expected, bool idempotent, bool publishAgain)
    {
        await using var broker = await StartBrokerAsync(o => o.SeedTopics["orders"] = 1);
        var kafka = broker.Cluster;
        var tracker = new ProducerErrorTracker(TimeProvider.System, TimeSpan.FromMinutes(5));
        await using var publisher = CreatePublisher(broker, producer: c => c.EnableIdempotence = idempotent, tracker: tracker);
        using var fault = kafka.Faults.FailNext(ProtocolApi.Produce, injected, count: 1, filter: new RequestFilter { Topic = "orders" });

        var error = await Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(new OrderPlaced("o-1", 1m, "c"), new PublishOptions { Key = "o-1" }));

        Assert.Equal(expected, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Equal(PublishStatus.NotPersisted, error.Status);
        Assert.Equal("orders", error.Topic);
        Assert.Equal(1, fault.TimesApplied);
        var rejected = Assert.Single(kafka.Requests, r => r.Api == ProtocolApi.Produce);
        Assert.Equal(injected, Assert.Single(rejected.Partitions).Error);
        Assert.Empty(kafka.Requests.Produced("orders"));

        var snapshot = tracker.GetSnapshot();
        Assert.Equal(1, snapshot.Failures);
        Assert.Equal(1, snapshot.FailuresByCode[expected]);
        Assert.Equal(expected, snapshot.LastFailure!.Code);
        Assert.Equal("orders", snapshot.LastFailure.Topic);
        Assert.Null(snapshot.FatalError);
        var health = await CheckHealthAsync(tracker, new PublisherOptions { DegradedFailureThreshold = 1, UnhealthyFailureThreshold = 5 });
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal(1L, health.Data[$"failures.{expected}"]);

        if (!publishAgain)
        {
            return;
        }

        // The producer is not broken by it: the next publish is stored, and it is the topic's only record.
        var next = await publisher.PublishAsync(new OrderPlaced("o-2", 2m, "c"), new PublishOptions { Key = "o-2" });
        Assert.Equal(PublishStatus.Persisted, next.Status);
        var stored = Assert.Single(await kafka.ConsumeToEndAsync("orders", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("o-2", stored.Message.Key);
        Assert.Equal(1, tracker.GetSnapshot().Delivered);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PublishAsync_NotEnoughReplicasTwice_ProducerRetriesAndTheEventIsStoredOnce(bool idempotent)
    {
        await using var broker = await StartBrokerAsync(o => o.SeedTopics["orders"] = 1);
        var kafka = broker.Cluster;
        var tracker = new ProducerErrorTracker(TimeProvider.System, TimeSpan.FromMinutes(5));
        await using var publisher = CreatePublisher(broker, producer: c =>
        {
            c.EnableIdempotence = idempotent;
            c.RetryBackoffMs = 20;
        }, tracker: tracker);
        using var fault = kafka.Faults.FailNext(ProtocolApi.Produce, BrokerError.NotEnoughReplicas, count: 2, filter: new RequestFilter { Topic = "orders" });

        var result = await publisher.PublishAsync(new OrderPlaced("o-1", 1m, "c"), new PublishOptions { Key = "o-1" });

        Assert.Equal(PublishStatus.Persisted, result.Status);
        Assert.Equal(2, fault.TimesApplied);
        var produces = kafka.Requests.Where(r => r.Api == ProtocolApi.Produce).SelectMany(r => r.Partitions).ToList();
        Assert.Equal([BrokerError.NotEnoughReplicas, BrokerError.NotEnoughReplicas, BrokerError.None], produces.Select(p => p.Error));
        var accepted = Assert.Single(kafka.Requests.Produced("orders"));
        Assert.Equal(1, accepted.RecordCount);
        Assert.Equal(result.Offset, accepted.Offset);

        var stored = Assert.Single(await kafka.ConsumeToEndAsync("orders", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("o-1", stored.Message.Key);
        Assert.Equal(result.EventId.ToString("D"), System.Text.Encoding.UTF8.GetString(stored.Message.Headers.GetLastBytes(SamsaHeaders.EventId)));
        var snapshot = tracker.GetSnapshot();
        Assert.Equal(1, snapshot.Delivered);
        Assert.Equal(0, snapshot.Failures);
        Assert.Equal(HealthStatus.Healthy, (await CheckHealthAsync(tracker, new PublisherOptions { DegradedFailureThreshold = 1 })).Status);
    }

    private static Task<EmbeddedBroker> StartBrokerAsync(Action<Samsa.Broker.BrokerOptions> configure) =>
        EmbeddedBroker.StartAsync(configure, cluster => cluster.LogRequests = true);

    private static Task<HealthCheckResult> CheckHealthAsync(ProducerErrorTracker tracker, PublisherOptions options)
    {
        var check = new ProducerErrorsHealthCheck(tracker, Options.Create(options));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("kafka-producer", check, HealthStatus.Unhealthy, ["ready"]) };
        return check.CheckHealthAsync(context);
    }
}

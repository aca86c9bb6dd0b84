using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Samsa.Consuming;
using Samsa.Consuming.Retry;
using Samsa.Health;
using Samsa.TestUtils;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>
/// A misconfigured handler (<see cref="FailureKind.Fatal"/>) against the embedded broker over TCP: the worker stops,
/// reports Unhealthy, says why in one log line, and nothing reaches the retry topics or the dead-letter topic.
/// </summary>
public sealed class MisconfigurationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HandleAsync_ThrowsMisconfiguration_WorkerStopsUnhealthyAndDeadLettersNothing()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler
        {
            Behavior = (_, _, _) => throw new MisconfigurationException("Billing:ConnectionString is missing; set it in appsettings.json."),
        };
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options =>
        {
            options.Retry.MaxAttempts = 3;
            options.Retry.RetryTopicDelays = [TimeSpan.FromMilliseconds(50)];
        });
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");
        await worker.WaitForAssignmentAsync(4);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 20).Select(i => new TestEvent(i)));

        await Poll.UntilAsync(() => worker.State == ConsumerWorkerState.Faulted, "the worker stopped");
        var health = await new ConsumerHealthCheck(worker).CheckHealthAsync(new HealthCheckContext(), Token);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("Billing:ConnectionString is missing", health.Description, StringComparison.Ordinal);
        Assert.Contains("misconfiguration", health.Description, StringComparison.Ordinal);

        // Each partition's first record was tried once, and never again.
        Assert.InRange(handler.Calls.Count, 1, 2);
        Assert.All(handler.Calls, call => Assert.Equal(1, call.Attempt));
        Assert.All(handler.Calls, call => Assert.Equal(0, call.Offset));
        Assert.Equal(0, worker.GetStatus().DeadLettered);
        Assert.Equal(0, worker.GetStatus().ForwardedToRetry);
        Assert.Equal(0, EndOffsets(broker, "orders.dlq").Values.Sum());
        Assert.Equal(0, EndOffsets(broker, "orders.retry.1").Values.Sum());
        Assert.Equal([-1, -1], (await CommittedAsync(broker, "billing", "orders")).Values);

        var logs = host.Logs();
        var line = Assert.Single(logs, r => r.Level >= LogLevel.Error);
        Assert.Equal("ConsumerMisconfigured", line.Id.Name);
        Assert.Contains("orders", line.Message, StringComparison.Ordinal);
        Assert.Contains("Billing:ConnectionString is missing", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs, r => r.Id.Name is "HandlerFailed" or "DeadLettered" or "ForwardedToRetryTopic");
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task HandleAsync_ExceptionClassifiedFatalMidPartition_EarlierRecordsCommittedLaterOnesLeft()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler
        {
            Behavior = (e, _, _) => e.Id == 5 ? throw new InvalidOperationException("No service for type 'IBillingStore' has been registered.") : ValueTask.CompletedTask,
        };
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options => options.Classifier.Fatal<InvalidOperationException>());
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 10).Select(i => new TestEvent(i)), partition: 0);

        await Poll.UntilAsync(() => worker.State == ConsumerWorkerState.Faulted, "the worker stopped");
        Assert.Equal(Enumerable.Range(0, 6), handler.Calls.Select(c => c.Id));
        Assert.Equal(5, (await CommittedAsync(broker, "billing", "orders"))[0]);
        Assert.Equal(0, EndOffsets(broker, "orders.dlq").Values.Sum());
        Assert.IsType<InvalidOperationException>(worker.GetStatus().Fault!.InnerException);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task HandleAsync_ExactlyOnceAndMisconfigured_WorkerStopsAndDeadLettersNothing()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler
        {
            Behavior = (e, _, _) => e.Id >= 3 ? throw new MisconfigurationException("Outputs:Topic is not set.") : ValueTask.CompletedTask,
        };
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options => options.ExactlyOnce = true);
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 6).Select(i => new TestEvent(i)), partition: 1);

        await Poll.UntilAsync(() => worker.State == ConsumerWorkerState.Faulted, "the worker stopped");
        Assert.Equal([0, 1, 2, 3], handler.Calls.Select(c => c.Id));
        Assert.Equal(3, (await CommittedAsync(broker, "billing", "orders"))[1]);
        Assert.Equal(0, EndOffsets(broker, "orders.dlq").Values.Sum());
        await host.StopAsync(Token);
    }

    /// <summary>The end offset of each partition of <paramref name="topic"/> (0 for an empty or missing partition).</summary>
    private static Dictionary<int, long> EndOffsets(EmbeddedBroker broker, string topic, int partitions = 2)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig($"ends-{Guid.NewGuid():N}")).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p, p => Math.Max(0, consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Wait).High.Value));
    }
}

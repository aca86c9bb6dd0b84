using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Samsa.Consuming.DeadLetter;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>The hosted consumer against the embedded broker with real Confluent clients.</summary>
public sealed class ConsumerWorkerTests
{
    [Fact]
    public async Task HandleAsync_FailsTwiceThenSucceeds_RetriedInPlaceAndCommittedOnce()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var worker = host.Worker("orders", "billing");

        await ProduceAsync(broker, "orders", [new TestEvent(1, "transient:2")], partition: 0);

        await WaitUntilAsync(() => handler.SuccessCount == 1, "the event handled");
        await WaitUntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult()[0] == 1, "offset 1 committed");
        Assert.Equal([1, 2, 3], handler.Calls.Where(c => c.Id == 1).Select(c => c.Attempt));
        Assert.All(handler.Calls, c => Assert.Equal(0, c.Offset));
        Assert.Equal(1, handler.Successes[1]);
        Assert.Equal(0, worker.GetStatus().DeadLettered);
        await host.StopAsync(TestContext.Current.CancellationToken);
        Assert.Empty(ReadAll(broker, "orders.dlq", 1, timeout: TimeSpan.FromMilliseconds(500)));
    }
}

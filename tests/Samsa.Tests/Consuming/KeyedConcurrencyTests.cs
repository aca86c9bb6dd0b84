using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Samsa.Consuming;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>Keyed concurrency within a partition (<see cref="ConsumerOptions.MaxConcurrencyPerPartition"/>) against the embedded broker over TCP.</summary>
public sealed class KeyedConcurrencyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KeyedConcurrency_FourKeys_FourHandlersOverlap()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var barrier = new Barrier(4);
        var met = 0;
        handler.Behavior = (_, _, token) =>
        {
            // Each of the first four calls waits, bounded, for the other three: they meet only if they overlap.
            if (barrier.SignalAndWait(TimeSpan.FromSeconds(20), token))
            {
                Interlocked.Increment(ref met);
            }

            return ValueTask.CompletedTask;
        };
        using var host = BuildHost(broker, "orders", "billing", handler, partitions: 1, configure: o => o.MaxConcurrencyPerPartition = 4);
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(1);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 4).Select(i => new TestEvent(i)), partition: 0);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 4, "the four records committed");
        Assert.Equal(4, met);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task KeyedConcurrency_TransientFailures_EachKeyInOffsetOrderWithoutOverlap()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        var running = new ConcurrentDictionary<string, int>();
        var order = new ConcurrentDictionary<string, ConcurrentQueue<long>>();
        var overlaps = 0;
        handler.Behavior = async (e, context, _) =>
        {
            var key = context.Key!;
            if (running.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            try
            {
                await Task.Yield();
                if (e.Id % 7 == 3 && context.Attempt == 1)
                {
                    throw new TimeoutException($"event {e.Id} timed out");
                }

                order.GetOrAdd(key, _ => new ConcurrentQueue<long>()).Enqueue(context.Offset);
            }
            finally
            {
                running.AddOrUpdate(key, 0, (_, n) => n - 1);
            }
        };
        using var host = BuildHost(broker, "orders", "billing", handler, partitions: 1, configure: o => o.MaxConcurrencyPerPartition = 8);
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(1);

        // 200 records over 5 keys, interleaved, one partition.
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 200; i++)
            {
                producer.Produce(new TopicPartition("orders", 0), new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"key-{i % 5}"), Value = Json(new TestEvent(i)) });
            }

            producer.Flush(Wait);
        }

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 200, "every record committed");
        Assert.Equal(0, overlaps);
        Assert.Equal(5, order.Count);
        foreach (var (key, offsets) in order)
        {
            Assert.Equal(offsets.Order(), offsets);
            Assert.Equal(40, offsets.Count);
        }

        await host.StopAsync(Token);
    }

    [Fact]
    public async Task KeyedConcurrency_OneRecordUnfinished_CommittedOffsetStopsAtIt()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        var done = new ConcurrentBag<int>();
        handler.Behavior = async (e, _, token) =>
        {
            if (e.Id == 2)
            {
                // Never finishes: shutdown cancels it.
                await Task.Delay(Timeout.Infinite, token);
            }

            done.Add(e.Id);
        };
        using var host = BuildHost(broker, "orders", "billing", handler, partitions: 1, configure: o =>
        {
            o.MaxConcurrencyPerPartition = 4;
            o.ShutdownTimeout = TimeSpan.FromMilliseconds(500);
        });
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(1);

        // Keys k-0 … k-9: every record its own key, so the ones after offset 2 run past it.
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 10).Select(i => new TestEvent(i)), partition: 0);
        await Poll.UntilAsync(() => done.Count == 9, "every record but offset 2 handled");
        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 2, "offsets 0 and 1 committed");

        // Shutdown commits what is handled: still offset 2, the unfinished record, not the nine past it.
        await host.StopAsync(Token);
        Assert.Equal(2, (await CommittedAsync(broker, "billing", "orders", 1))[0]);
    }

    [Fact]
    public void OffsetTracker_KeyedRecordsFinishingOutOfOrder_OffsetStopsAtTheLowestUnfinished()
    {
        var tracker = new OffsetTracker();
        for (var offset = 10; offset < 14; offset++)
        {
            tracker.Begin(offset);
        }

        tracker.MarkHandled(12);
        tracker.MarkHandled(13);
        Assert.Equal(10, tracker.Handled);
        tracker.MarkHandled(10);
        Assert.Equal(11, tracker.Handled);
        tracker.MarkHandled(11);
        Assert.Equal(14, tracker.Handled);
    }

    [Theory]
    [InlineData(true, false, "ExactlyOnce")]
    [InlineData(false, true, "batch consumers")]
    public void Validator_KeyedConcurrencyWhereNotSupported_FailsNamingTheSetting(bool exactlyOnce, bool batch, string why)
    {
        var options = new ConsumerOptions { Topic = "orders", GroupId = "billing", MaxConcurrencyPerPartition = 4, ExactlyOnce = exactlyOnce, IsBatchConsumer = batch };

        var result = new ConsumerOptionsValidator().Validate("billing:orders", options);

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("MaxConcurrencyPerPartition is 4", failure, StringComparison.Ordinal);
        Assert.Contains(why, failure, StringComparison.Ordinal);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.Consuming;
using Samsa.Diagnostics;
using Samsa.Publishing;
using Samsa.DependencyInjection;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>
/// <see cref="ConsumeContext.Publish{TEvent}"/> in both delivery modes against the embedded broker over TCP, read back
/// with Confluent clients: the same handler, unchanged, produces the same outputs with the same headers.
/// </summary>
public sealed class ConsumerOutputsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public sealed record Shipped(int OrderId, string Step);

    /// <summary>The handler under test: two outputs per input, to <c>&lt;group&gt;-out</c>, keyed by the input's key.</summary>
    private static RecordingHandler Shipping(ConcurrentDictionary<(string Group, int Id), ActivityTraceId> traces) => new()
    {
        Behavior = (e, context, _) =>
        {
            if (Activity.Current is { } activity)
            {
                traces[(context.GroupId, e.Id)] = activity.TraceId;
            }

            var options = new PublishOptions { Topic = $"{context.GroupId}-out", Key = context.Key };
            context.Publish(new Shipped(e.Id, "packed"), options);
            context.Publish(new Shipped(e.Id, "sent"), options);
            return ValueTask.CompletedTask;
        },
    };

    [Fact]
    public async Task Publish_SameHandlerInBothModes_SameOutputsAndHeadersEachAcknowledgedBeforeItsInputCommits()
    {
        using var spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SamsaNames.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(spans);
        await using var broker = await StartBrokerAsync();
        var correlation = new Headers { { SamsaHeaders.CorrelationId, Encoding.UTF8.GetBytes("req-9") } };
        var traces = new ConcurrentDictionary<(string Group, int Id), ActivityTraceId>();

        var outputs = new Dictionary<string, List<ConsumeResult<byte[]?, byte[]?>>>();
        foreach (var (group, exactlyOnce) in new[] { ("plain", false), ("txn", true) })
        {
            var handler = Shipping(traces);
            using var host = BuildHost(broker, "orders", group, handler,
                configure: options => options.ExactlyOnce = exactlyOnce,
                more: samsa => samsa.AddTopic($"{group}-out", t => t.Partitions = 2));
            await host.StartAsync(Token);
            if (!exactlyOnce)
            {
                // The first host provisions the input topic; the second reads the same 40 inputs.
                await ProduceAsync(broker, "orders", Enumerable.Range(0, 40).Select(i => new TestEvent(i)), headers: correlation);
            }

            await Poll.UntilAsync(() => CommittedAsync(broker, group, "orders").GetAwaiter().GetResult().Values.Sum() == 40, $"{group}: every input committed");

            // Committed inputs imply acknowledged outputs: all 80 are readable the moment the offsets are.
            outputs[group] = ReadCommitted(broker, $"{group}-out", 80);
            await host.StopAsync(Token);
            Assert.Equal(40, handler.SuccessCount);
        }

        string Describe(ConsumeResult<byte[]?, byte[]?> r) => $"{Encoding.UTF8.GetString(r.Message.Key!)}|{Encoding.UTF8.GetString(r.Message.Value!)}";
        Assert.Equal(outputs["plain"].Select(Describe).Order(), outputs["txn"].Select(Describe).Order());
        Assert.Equal(80, outputs["plain"].Select(Describe).Distinct().Count());

        foreach (var (group, records) in outputs)
        {
            Assert.Equal(80, records.Select(r => Header(r, SamsaHeaders.EventId)).Distinct().Count());
            foreach (var record in records)
            {
                var shipped = JsonSerializer.Deserialize<Shipped>(record.Message.Value, JsonSerializerOptions.Web)!;
                Assert.True(Guid.Parse(Header(record, SamsaHeaders.EventId)).Version == 7);
                Assert.Equal(typeof(Shipped).FullName, Header(record, SamsaHeaders.EventType));
                Assert.Equal("application/json", Header(record, SamsaHeaders.ContentType));
                Assert.Equal("req-9", Header(record, SamsaHeaders.CorrelationId));
                Assert.Equal($"k-{shipped.OrderId}", Encoding.UTF8.GetString(record.Message.Key!));
                Assert.Contains(traces[(group, shipped.OrderId)].ToHexString(), Header(record, "traceparent"), StringComparison.Ordinal);
            }

            // Per input, in the order the handler published them (same key, same partition).
            foreach (var pair in records.GroupBy(r => JsonSerializer.Deserialize<Shipped>(r.Message.Value, JsonSerializerOptions.Web)!.OrderId))
            {
                var ordered = pair.OrderBy(r => r.Offset.Value).Select(r => JsonSerializer.Deserialize<Shipped>(r.Message.Value, JsonSerializerOptions.Web)!.Step);
                Assert.Equal(["packed", "sent"], ordered);
            }
        }
    }

    [Fact]
    public async Task Publish_HandlerFailsAfterPublishingAtLeastOnce_FailedAttemptsOutputsDropped()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler
        {
            Behavior = (e, context, _) =>
            {
                context.Publish(new Shipped(e.Id, $"attempt-{context.Attempt}"), new PublishOptions { Topic = "shipments" });
                return context.Attempt < 3 ? throw new TimeoutException("warehouse slow") : ValueTask.CompletedTask;
            },
        };
        using var host = BuildHost(broker, "orders", "plain", handler, more: samsa => samsa.AddTopic("shipments", t => t.Partitions = 2));
        await host.StartAsync(Token);

        await ProduceAsync(broker, "orders", [new TestEvent(1)], partition: 0);

        await Poll.UntilAsync(() => CommittedAsync(broker, "plain", "orders").GetAwaiter().GetResult()[0] == 1, "the input committed");
        var output = Assert.Single(ReadCommitted(broker, "shipments", 1));
        Assert.Equal(new Shipped(1, "attempt-3"), JsonSerializer.Deserialize<Shipped>(output.Message.Value, JsonSerializerOptions.Web));
        await host.StopAsync(Token);
        Assert.Equal(1, EndOffset(broker, "shipments"));
    }

    /// <summary>Reads <paramref name="count"/> records (read_committed) from every partition of <paramref name="topic"/>.</summary>
    private static List<ConsumeResult<byte[]?, byte[]?>> ReadCommitted(EmbeddedBroker broker, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig($"read-{Guid.NewGuid():N}", c => c.IsolationLevel = IsolationLevel.ReadCommitted)).Build();
        consumer.Assign(Enumerable.Range(0, 2).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer.ConsumeMany(count, Wait);
    }

    /// <summary>The records in <paramref name="topic"/> (both partitions), counted from the high watermarks.</summary>
    private static long EndOffset(EmbeddedBroker broker, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig($"ends-{Guid.NewGuid():N}")).Build();
        return Enumerable.Range(0, 2).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Wait).High.Value);
    }
}

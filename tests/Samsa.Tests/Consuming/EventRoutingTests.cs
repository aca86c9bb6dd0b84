using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.DependencyInjection;
using Samsa.Publishing;
using Samsa.TestUtils;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>Several event types on one topic (<see cref="EventRoutes"/>), routed by their <c>samsa-event-type</c> header, against the embedded broker.</summary>
public sealed class EventRoutingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public sealed record OrderPlaced(int OrderId, decimal Total);

    [KafkaTopic("orders", EventType = "order.cancelled")]
    public sealed record OrderCancelled(int OrderId, string Reason);

    /// <summary>What every handler saw, in the order the calls were made: (handler, text, offset).</summary>
    public sealed class Journal
    {
        public ConcurrentQueue<(string Handler, string Seen, long Offset)> Calls { get; } = new();
    }

    public sealed class PlacedHandler(Journal journal) : IEventHandler<OrderPlaced>
    {
        public ValueTask HandleAsync(OrderPlaced @event, ConsumeContext context, CancellationToken cancellationToken)
        {
            journal.Calls.Enqueue(("placed", $"{@event.OrderId}:{@event.Total}", context.Offset));
            return ValueTask.CompletedTask;
        }
    }

    public sealed class CancelledHandler(Journal journal) : IEventHandler<OrderCancelled>
    {
        public ValueTask HandleAsync(OrderCancelled @event, ConsumeContext context, CancellationToken cancellationToken)
        {
            // Fails once, so the retry must come back to this handler, not another route's.
            if (context.Attempt == 1)
            {
                throw new TimeoutException("the ledger is slow");
            }

            journal.Calls.Enqueue(("cancelled", $"{@event.OrderId}:{@event.Reason}", context.Offset));
            return ValueTask.CompletedTask;
        }
    }

    public sealed class UnknownHandler(Journal journal) : IEventHandler<byte[]>
    {
        public ValueTask HandleAsync(byte[] @event, ConsumeContext context, CancellationToken cancellationToken)
        {
            journal.Calls.Enqueue(("fallback", Encoding.UTF8.GetString(@event), context.Offset));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The cancellation events' own format: <c>cancel|id|reason</c> text, not JSON.</summary>
    private sealed class PipeDeserializer : IEventDeserializer
    {
        public TEvent Deserialize<TEvent>(byte[]? value, ConsumeContext context)
        {
            var parts = Encoding.UTF8.GetString(value!).Split('|');
            return (TEvent)(object)new OrderCancelled(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
        }
    }

    [Fact]
    public async Task AddConsumer_ThreeTypesAndAFallback_EachRecordToItsHandlerInOffsetOrder()
    {
        await using var broker = await StartBrokerAsync();
        var journal = new Journal();
        using var host = SamsaTestHost.Build(broker.BootstrapServers, samsa =>
        {
            samsa.Services.AddSingleton(journal);
            samsa.AddTopic("orders", t => t.Partitions = 1)
                .AddConsumer("orders", "billing", routes => routes
                    .On<OrderPlaced, PlacedHandler>()
                    .On<OrderCancelled, CancelledHandler>(deserializer: new PipeDeserializer())
                    .Fallback<byte[], UnknownHandler>(), Fast);
        });
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(1);

        await ProduceTypedAsync(broker,
            (typeof(OrderPlaced).FullName, JsonSerializer.SerializeToUtf8Bytes(new OrderPlaced(1, 9.5m), JsonSerializerOptions.Web)),
            ("order.cancelled", "cancel|1|customer asked"u8.ToArray()),
            ("order.refunded", "refund 1"u8.ToArray()),
            (null, "no type at all"u8.ToArray()),
            (typeof(OrderPlaced).FullName, JsonSerializer.SerializeToUtf8Bytes(new OrderPlaced(2, 3m), JsonSerializerOptions.Web)));

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 5, "every record committed");
        Assert.Equal(
            [("placed", "1:9.5", 0L), ("cancelled", "1:customer asked", 1L), ("fallback", "refund 1", 2L), ("fallback", "no type at all", 3L), ("placed", "2:3", 4L)],
            journal.Calls.ToArray());
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task AddConsumer_TypeWithoutHandlerAndNoFallback_DeadLetteredNamingTheTypeAndTheRestHandled()
    {
        await using var broker = await StartBrokerAsync();
        var journal = new Journal();
        using var host = SamsaTestHost.Build(broker.BootstrapServers, samsa =>
        {
            samsa.Services.AddSingleton(journal);
            samsa.AddTopic("orders", t => t.Partitions = 1)
                .AddConsumer("orders", "billing", routes => routes.On<OrderPlaced, PlacedHandler>(), Fast);
        });
        await host.StartAsync(Token);

        await ProduceTypedAsync(broker,
            ("order.refunded", "refund 1"u8.ToArray()),
            (typeof(OrderPlaced).FullName, JsonSerializer.SerializeToUtf8Bytes(new OrderPlaced(2, 3m), JsonSerializerOptions.Web)));

        var dead = Assert.Single(ReadAll(broker, "orders.dlq", 1, partitions: 1));
        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 2, "both records done with");
        Assert.Equal("refund 1", Encoding.UTF8.GetString(dead.Message.Value!));
        Assert.Contains("No handler for event type 'order.refunded'", Header(dead, DeadLetterHeaders.ExceptionMessage), StringComparison.Ordinal);
        Assert.Equal([("placed", "2:3", 1L)], journal.Calls.ToArray());
        await host.StopAsync(Token);
    }

    [Fact]
    public void EventRoutes_SameTypeTwice_ArgumentExceptionNamingIt()
    {
        var routes = new EventRoutes().On<OrderCancelled, CancelledHandler>();

        var error = Assert.Throws<ArgumentException>(() => routes.On<OrderPlaced, PlacedHandler>("order.cancelled"));

        Assert.Contains("'order.cancelled'", error.Message, StringComparison.Ordinal);
    }

    private static async Task ProduceTypedAsync(EmbeddedBroker broker, params (string? EventType, byte[] Value)[] records)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(broker.ProducerConfig()).Build();
        foreach (var (type, value) in records)
        {
            var headers = new Headers();
            if (type is not null)
            {
                headers.Add(SamsaHeaders.EventType, Encoding.UTF8.GetBytes(type));
            }

            await producer.ProduceAsync(new TopicPartition("orders", 0), new Message<byte[]?, byte[]?> { Value = value, Headers = headers });
        }
    }
}

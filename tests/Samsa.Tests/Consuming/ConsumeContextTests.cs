using System.Text;
using Confluent.Kafka;
using Samsa.Consuming;
using Samsa.Consuming.Retry;
using Samsa.Publishing;

namespace Samsa.Tests.Consuming;

public sealed class ConsumeContextTests
{
    private static ConsumeContext Context(bool transactional, Headers? headers = null) => new(
        "billing",
        "orders",
        new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset("orders", 0, 5),
            Message = new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("{}"), Headers = headers },
        },
        attempt: 1,
        retryLevel: 0,
        CancellationToken.None)
    {
        Transactional = transactional,
    };

    private static Message<byte[]?, byte[]?> Output(string value) => new() { Value = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public void Produce_AtLeastOnce_KeptInOrderLikeInExactlyOnceMode()
    {
        var context = Context(transactional: false);

        context.Produce("outputs", Output("a"));
        context.Produce("audit", Output("b"));

        Assert.Equal(["outputs", "audit"], context.OutboxTopics!.Select(t => t.Topic));
        Assert.Equal(["a", "b"], context.Outbox!.Select(m => Encoding.UTF8.GetString(m.Value!)));
    }

    [Fact]
    public void Publish_TypedEvent_SerializedWithTheStandardHeadersAndTheInputsCorrelationId()
    {
        var context = Context(transactional: false, headers: new Headers { { SamsaHeaders.CorrelationId, Encoding.UTF8.GetBytes("req-42") } });

        context.Publish(new Shipped(7, "acme"), new PublishOptions { Topic = "shipments", Key = "order-7", Partition = 1 });

        var message = Assert.Single(context.Outbox!);
        Assert.Equal(new TopicPartition("shipments", 1), context.OutboxTopics!.Single());
        Assert.Equal("order-7", Encoding.UTF8.GetString(message.Key!));
        Assert.Equal("""{"id":7,"customer":"acme"}""", Encoding.UTF8.GetString(message.Value!));
        Assert.True(Guid.TryParse(HeaderText(message, SamsaHeaders.EventId), out var id) && id.Version == 7);
        Assert.Equal(typeof(Shipped).FullName, HeaderText(message, SamsaHeaders.EventType));
        Assert.Equal("application/json", HeaderText(message, SamsaHeaders.ContentType));
        Assert.Equal("req-42", HeaderText(message, SamsaHeaders.CorrelationId));
        Assert.NotNull(HeaderText(message, SamsaHeaders.Timestamp));
    }

    [Fact]
    public void Publish_NoTopicForTheType_MisconfigurationNamingTheWaysToGiveOne()
    {
        var context = Context(transactional: true);

        var error = Assert.Throws<MisconfigurationException>(() => context.Publish(new Shipped(1, "acme")));

        Assert.Contains(nameof(Shipped), error.Message, StringComparison.Ordinal);
        Assert.Contains("MapTopic", error.Message, StringComparison.Ordinal);
        Assert.Contains("KafkaTopic", error.Message, StringComparison.Ordinal);
        Assert.Null(context.Outbox);
    }

    [Fact]
    public void Publish_TopicFromTheAttribute_UsedWithItsEventType()
    {
        var context = Context(transactional: true);

        context.Publish(new Invoiced(3));

        Assert.Equal("invoices", context.OutboxTopics!.Single().Topic);
        Assert.Equal("invoice.v1", HeaderText(context.Outbox!.Single(), SamsaHeaders.EventType));
    }

    private static string? HeaderText(Message<byte[]?, byte[]?> message, string key) =>
        message.Headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    public sealed record Shipped(int Id, string Customer);

    [KafkaTopic("invoices", EventType = "invoice.v1")]
    public sealed record Invoiced(int Id);

    [Fact]
    public void Produce_ExactlyOnce_KeepsMessagesAndTopicsInOrderUntilTheHandlerReturns()
    {
        var context = Context(transactional: true);

        context.Produce("outputs", Output("a"));
        context.Produce("audit", Output("b"));

        Assert.Equal(["outputs", "audit"], context.OutboxTopics!.Select(t => t.Topic));
        Assert.Equal(["a", "b"], context.Outbox!.Select(m => Encoding.UTF8.GetString(m.Value!)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Produce_BlankTopic_Throws(string topic)
    {
        Assert.ThrowsAny<ArgumentException>(() => Context(transactional: true).Produce(topic, Output("a")));
    }

    [Fact]
    public void Load_ReusedForTheNextRecord_DescribesItAndLeavesTheLastOutboxAsHandedOver()
    {
        var context = new ConsumeContext("billing", "orders", transactional: true);
        context.Load(Record(5, "k1"), attempt: 1, retryLevel: 0, CancellationToken.None);
        Assert.Equal("k1", context.Key);
        context.Produce("outputs", Output("a"));
        var handedOver = context.Outbox!;

        using var cancellation = new CancellationTokenSource();
        context.Load(Record(6, "k2"), attempt: 2, retryLevel: 1, cancellation.Token);

        Assert.Equal(6, context.Offset);
        Assert.Equal("k2", context.Key);
        Assert.Equal(2, context.Attempt);
        Assert.Equal(1, context.RetryLevel);
        Assert.Equal(cancellation.Token, context.CancellationToken);
        Assert.Null(context.Outbox);
        Assert.Null(context.OutboxTopics);
        Assert.Single(handedOver);
    }

    private static ConsumeResult<byte[]?, byte[]?> Record(long offset, string key) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset("orders", 0, offset),
        Message = new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes("{}") },
    };
}

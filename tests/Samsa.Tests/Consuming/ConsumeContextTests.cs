using System.Text;
using Confluent.Kafka;
using Samsa.Consuming;

namespace Samsa.Tests.Consuming;

public sealed class ConsumeContextTests
{
    private static ConsumeContext Context(bool transactional) => new(
        "billing",
        "orders",
        new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = new TopicPartitionOffset("orders", 0, 5),
            Message = new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes("{}") },
        },
        attempt: 1,
        retryLevel: 0,
        CancellationToken.None)
    {
        Transactional = transactional,
    };

    private static Message<byte[]?, byte[]?> Output(string value) => new() { Value = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public void Produce_WithoutExactlyOnce_ThrowsNamingTheSettingAndTheAlternative()
    {
        var context = Context(transactional: false);

        var error = Assert.Throws<InvalidOperationException>(() => context.Produce("outputs", Output("a")));

        Assert.Contains("ConsumerOptions.ExactlyOnce = true", error.Message, StringComparison.Ordinal);
        Assert.Contains("IEventPublisher", error.Message, StringComparison.Ordinal);
        Assert.Null(context.Outbox);
    }

    [Fact]
    public void Produce_ExactlyOnce_KeepsMessagesAndTopicsInOrderUntilTheHandlerReturns()
    {
        var context = Context(transactional: true);

        context.Produce("outputs", Output("a"));
        context.Produce("audit", Output("b"));

        Assert.Equal(["outputs", "audit"], context.OutboxTopics!);
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

using Confluent.Kafka;
using Samsa.Configuration;
using Samsa.Consuming;

namespace Samsa.Tests.Consuming;

public sealed class ConsumerClientConfigsTests
{
    private static KafkaOptions Kafka() => new() { BootstrapServers = ["localhost:9092"] };

    [Fact]
    public void TransactionalProducer_NoTransactionalId_GeneratesOneUniquePerWorkerNamingGroupAndTopic()
    {
        var options = new ConsumerOptions { Topic = "orders", GroupId = "billing", ExactlyOnce = true };

        var first = ConsumerClientConfigs.TransactionalProducer(Kafka(), options);
        var second = ConsumerClientConfigs.TransactionalProducer(Kafka(), options);

        Assert.StartsWith("samsa-billing-orders-", first.TransactionalId, StringComparison.Ordinal);
        Assert.Equal("samsa-billing-orders-".Length + 12, first.TransactionalId.Length);
        Assert.NotEqual(first.TransactionalId, second.TransactionalId);
        Assert.True(first.EnableIdempotence);
        Assert.Equal(Acks.All, first.Acks);
    }

    [Fact]
    public void TransactionalProducer_TransactionalIdSet_UsedAsIsThenConfigureProducerApplied()
    {
        var options = new ConsumerOptions
        {
            Topic = "orders",
            GroupId = "billing",
            ExactlyOnce = true,
            TransactionalId = "billing-pod-3",
            ConfigureProducer = config => config.TransactionTimeoutMs = 5_000,
        };

        var config = ConsumerClientConfigs.TransactionalProducer(Kafka(), options);

        Assert.Equal("billing-pod-3", config.TransactionalId);
        Assert.Equal(5_000, config.TransactionTimeoutMs);
    }

    [Fact]
    public void Consumer_ExactlyOnce_ReadsCommittedOnly()
    {
        var options = new ConsumerOptions { Topic = "orders", GroupId = "billing", ExactlyOnce = true };

        Assert.Equal(IsolationLevel.ReadCommitted, ConsumerClientConfigs.Consumer(Kafka(), options).IsolationLevel);
    }
}

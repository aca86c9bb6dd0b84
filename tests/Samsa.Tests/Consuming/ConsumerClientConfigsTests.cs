using Confluent.Kafka;
using Samsa.Configuration;
using Samsa.Consuming;

namespace Samsa.Tests.Consuming;

public sealed class ConsumerClientConfigsTests
{
    private static KafkaOptions Kafka() => new() { BootstrapServers = ["localhost:9092"] };

    [Fact]
    public void TransactionalProducer_NoTransactionalId_DerivedFromGroupTopicAndInstanceTheSameEveryTime()
    {
        var options = new ConsumerOptions { Topic = "orders", GroupId = "billing", ExactlyOnce = true, InstanceId = "billing-7d9f-x2" };

        var first = ConsumerClientConfigs.TransactionalProducer(Kafka(), options);
        var second = ConsumerClientConfigs.TransactionalProducer(Kafka(), options);

        Assert.Equal("samsa-billing-orders-billing-7d9f-x2", first.TransactionalId);
        Assert.Equal(first.TransactionalId, second.TransactionalId);
        Assert.True(first.EnableIdempotence);
        Assert.Equal(Acks.All, first.Acks);
    }

    [Fact]
    public void InstanceId_NotSet_TakenFromHostnameThenPodNameThenTheMachineName()
    {
        Assert.Equal("pod-3", InstanceIdentity.FromHost(name => name == "HOSTNAME" ? "pod-3" : "other"));
        Assert.Equal("pod-4", InstanceIdentity.FromHost(name => name == "POD_NAME" ? "pod-4" : null));
        Assert.Equal(Environment.MachineName, InstanceIdentity.FromHost(_ => " "));
    }

    [Fact]
    public void Consumer_StaticMembership_GroupInstanceIdFromInstanceAndTopicWithKafkasCharacters()
    {
        var options = new ConsumerOptions { Topic = "orders", GroupId = "billing", InstanceId = "node a/1", StaticMembership = true };

        Assert.Equal("node_a_1-orders", ConsumerClientConfigs.Consumer(Kafka(), options).GroupInstanceId);
        Assert.Null(ConsumerClientConfigs.Consumer(Kafka(), new ConsumerOptions { Topic = "orders", GroupId = "billing", InstanceId = "x" }).GroupInstanceId);
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
    public void Consumer_DefaultGroupProtocol_ClassicWithTheRegistrationsAssignmentStrategy()
    {
        var config = ConsumerClientConfigs.Consumer(Kafka(), new ConsumerOptions { Topic = "orders", GroupId = "billing" });

        Assert.Null(config.GroupProtocol);
        Assert.Equal(PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
    }

    [Fact]
    public void Consumer_ConsumerGroupProtocol_NoClientSideAssignmentStrategyAndLibrdkafkaAcceptsIt()
    {
        var kafka = Kafka();
        kafka.Profile = KafkaProfile.Development;
        kafka.Consumer.GroupProtocol = GroupProtocol.Consumer;

        var config = ConsumerClientConfigs.Consumer(kafka, new ConsumerOptions { Topic = "orders", GroupId = "billing" });

        Assert.Equal(GroupProtocol.Consumer, config.GroupProtocol);
        Assert.Null(config.Get("partition.assignment.strategy"));

        // librdkafka refuses partition.assignment.strategy with group.protocol=consumer; this config builds.
        Samsa.TestUtils.NativeKafka.EnsureLoaded();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
    }

    [Fact]
    public void Consumer_ExactlyOnce_ReadsCommittedOnly()
    {
        var options = new ConsumerOptions { Topic = "orders", GroupId = "billing", ExactlyOnce = true };

        Assert.Equal(IsolationLevel.ReadCommitted, ConsumerClientConfigs.Consumer(Kafka(), options).IsolationLevel);
    }
}

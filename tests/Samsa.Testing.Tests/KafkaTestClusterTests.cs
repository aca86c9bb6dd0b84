using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Protocol;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Testing.Tests;

public sealed class KafkaTestClusterTests : ClusterTestBase
{
    [Fact]
    public async Task StartAsync_OneNode_ProduceIsAcknowledgedAndReadBack()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName("orders"), partitions: 2);
        using var producer = Producer();

        var first = await ProduceAsync(producer, topic, "a", partition: 0);
        var second = await ProduceAsync(producer, topic, "b", partition: 1);
        var third = await ProduceAsync(producer, topic, "c", partition: 1);

        Assert.Equal([0L, 0L, 1L], [first.Offset.Value, second.Offset.Value, third.Offset.Value]);
        var records = await Kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["a", "b", "c"], records.Select(r => r.Message.Value));
    }

    [Fact]
    public async Task UniqueName_TwoCalls_DifferAndAreValidTopicNames()
    {
        var a = KafkaTestCluster.UniqueName("orders");
        var b = KafkaTestCluster.UniqueName("orders");

        Assert.NotEqual(a, b);
        Assert.StartsWith("orders-", a, StringComparison.Ordinal);
        await Kafka.CreateTopicAsync(a);
        await Kafka.CreateTopicAsync(b);
    }

    [Fact]
    public async Task CreateTopicAsync_Existing_ThrowsWithKafkaError()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Kafka.CreateTopicAsync(topic));

        Assert.Contains(nameof(ErrorCode.TopicAlreadyExists), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForCommittedOffsetAsync_ConsumerCommits_ReturnsCommittedOffset()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName(), partitions: 4);
        var group = KafkaTestCluster.UniqueName("group");
        using var consumer = new ConsumerBuilder<string, string>(Kafka.ConsumerConfig(group)).Build();

        consumer.Commit([new TopicPartitionOffset(topic, 3, 42)]);

        Assert.Equal(42, await Kafka.WaitForCommittedOffsetAsync(group, topic, 3, 42, Wait, TestContext.Current.CancellationToken));
        Assert.Null(await Kafka.GetCommittedOffsetAsync(group, topic, 2));
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => Kafka.WaitForCommittedOffsetAsync(group, topic, 3, 43, TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));
        Assert.Contains("committed: 42", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetAsync_AfterATest_DeletesTopicsGroupsFaultsAndLog()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        var group = KafkaTestCluster.UniqueName("group");
        using (var consumer = new ConsumerBuilder<string, string>(Kafka.ConsumerConfig(group)).Build())
        {
            consumer.Commit([new TopicPartitionOffset(topic, 0, 7)]);
        }

        using var fault = Kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.NotEnoughReplicas, count: null);

        await Kafka.ResetAsync();

        Assert.Null(Kafka.PartitionCount(topic));
        Assert.Null(await Kafka.GetCommittedOffsetAsync(group, topic, 0));
        Assert.Empty(Kafka.Faults.Active);
        Assert.False(fault.IsActive);
        Assert.Equal(0, Kafka.Requests.Count);
        using var admin = new AdminClientBuilder(Kafka.AdminConfig()).Build();
        var groups = await admin.ListConsumerGroupsAsync();
        Assert.DoesNotContain(groups.Valid, g => g.GroupId == group);

        // The cluster works normally afterwards: the same topic name can be created and written.
        await Kafka.CreateTopicAsync(topic);
        using var producer = Producer();
        Assert.Equal(0, (await ProduceAsync(producer, topic, "again")).Offset.Value);
    }

    [Fact]
    public async Task StopNodeAsync_ThreeNodes_ProduceMovesToTheNewLeaderAndRestartedNodeServes()
    {
        await using var kafka = await KafkaTestCluster.StartAsync(o => o.Nodes = 3, TestContext.Current.CancellationToken);
        var topic = await kafka.CreateTopicAsync(KafkaTestCluster.UniqueName(), partitions: 1, replicationFactor: 3);
        using var producer = new ProducerBuilder<string, string>(kafka.ProducerConfig()).Build();
        await ProduceAsync(producer, topic, "before");
        var leader = kafka.LeaderOf(topic, 0)!.Value;

        await kafka.StopNodeAsync(leader);
        var leaderWhileStopped = kafka.LeaderOf(topic, 0)!.Value;
        var during = await ProduceAsync(producer, topic, "during");
        await kafka.StartNodeAsync(leader);
        var after = await ProduceAsync(producer, topic, "after");

        Assert.Equal(PersistenceStatus.Persisted, during.Status);
        Assert.NotEqual(leader, leaderWhileStopped);
        Assert.Equal(["before", "during", "after"], (await kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Message.Value));
        Assert.Equal(2, after.Offset.Value);
    }

    [Fact]
    public async Task StartAsync_DiskStorage_KeepsDataInTheDirectoryAndDeletesTheTemporaryOne()
    {
        var directory = Directory.CreateTempSubdirectory("samsa-testing-tests-").FullName;
        try
        {
            await using (var kafka = await KafkaTestCluster.StartAsync(o => { o.Storage = KafkaTestStorage.Disk; o.DataDirectory = directory; }, TestContext.Current.CancellationToken))
            {
                var topic = await kafka.CreateTopicAsync("kept", partitions: 1);
                using var producer = new ProducerBuilder<string, string>(kafka.ProducerConfig()).Build();
                await ProduceAsync(producer, topic, "durable");
            }

            await using var restarted = await KafkaTestCluster.StartAsync(o => { o.Storage = KafkaTestStorage.Disk; o.DataDirectory = directory; }, TestContext.Current.CancellationToken);
            Assert.Equal(["durable"], (await restarted.ConsumeToEndAsync("kept", cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Message.Value));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_DataDirectoryWithMemoryStorage_ThrowsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => KafkaTestCluster.StartAsync(o => o.DataDirectory = "/tmp/x", TestContext.Current.CancellationToken));

        Assert.Contains("Storage = KafkaTestStorage.Disk", error.Message, StringComparison.Ordinal);
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Confluent.Kafka's AdminClient on consumer groups: list, describe, offsets, delete.</summary>
public class GroupAdminClientTests
{
    private const string Topic = "orders";

    private static IAdminClient Admin(EmbeddedBroker broker) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

    [Fact]
    public async Task AdminClient_ActiveGroup_ListedDescribedWithOffsetsAndDeletedOnceEmpty()
    {
        await using var broker = await GroupConsumerTests.StartBrokerAsync(o => o.NodeCount = 2);
        using var admin = Admin(broker);
        await GroupConsumerTests.ProduceAsync(broker, 120);
        var first = new GroupTestConsumer("c1", GroupConsumerTests.GroupConfig(broker, "admin-g", c => c.ClientId = "client-one"), Topic, commitEach: true);
        var second = new GroupTestConsumer("c2", GroupConsumerTests.GroupConfig(broker, "admin-g", c => c.ClientId = "client-two"), Topic, commitEach: true);
        await GroupConsumerTests.WaitBalancedAsync(first, second);
        Assert.True(await Poll.TryUntilAsync(() => first.Received.Count + second.Received.Count == 120, TimeSpan.FromSeconds(30)));

        var listed = await admin.ListConsumerGroupsAsync();
        var listing = Assert.Single(listed.Valid, g => g.GroupId == "admin-g");
        Assert.Equal(ConsumerGroupState.Stable, listing.State);
        Assert.False(listing.IsSimpleConsumerGroup);

        var described = (await admin.DescribeConsumerGroupsAsync(["admin-g"])).ConsumerGroupDescriptions.Single();
        Assert.Equal(ConsumerGroupState.Stable, described.State);
        Assert.Equal("range", described.PartitionAssignor);
        Assert.Equal(broker.Broker.Groups.FindCoordinator("admin-g").Node!.Id, described.Coordinator.Id);
        Assert.Equal(["client-one", "client-two"], described.Members.Select(m => m.ClientId).Order());
        Assert.Equal(12, described.Members.SelectMany(m => m.Assignment.TopicPartitions).Distinct().Count());
        Assert.All(described.Members, m => Assert.Equal("/127.0.0.1", m.Host));

        var offsets = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("admin-g", null)])).Single();
        Assert.Equal(12, offsets.Partitions.Count);
        Assert.All(offsets.Partitions, p => Assert.Equal(10, p.Offset.Value));

        var refused = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync(["admin-g"]));
        Assert.Equal(ErrorCode.NonEmptyGroup, refused.Results.Single().Error.Code);

        first.Close();
        second.Close();
        Assert.True(await Poll.TryUntilAsync(
            () => admin.ListConsumerGroupsAsync().GetAwaiter().GetResult().Valid.Any(g => g.GroupId == "admin-g" && g.State == ConsumerGroupState.Empty),
            TimeSpan.FromSeconds(30)));
        await admin.DeleteGroupsAsync(["admin-g"]);

        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == "admin-g");
        var after = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("admin-g", [new TopicPartition(Topic, 0)])])).Single();
        Assert.Equal(Offset.Unset, after.Partitions.Single().Offset);
    }

    [Fact]
    public async Task AdminClient_AlterThenDeleteOffsetsOfSimpleGroup_RoundTrips()
    {
        await using var broker = await GroupConsumerTests.StartBrokerAsync();
        using var admin = Admin(broker);

        await admin.AlterConsumerGroupOffsetsAsync(
        [
            new ConsumerGroupTopicPartitionOffsets("simple-g", [new TopicPartitionOffset(Topic, 0, 5), new TopicPartitionOffset(Topic, 1, 7)]),
        ]);
        await admin.DeleteConsumerGroupOffsetsAsync("simple-g", [new TopicPartition(Topic, 0)]);

        var offsets = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("simple-g", null)])).Single();
        var left = Assert.Single(offsets.Partitions);
        Assert.Equal(1, left.Partition.Value);
        Assert.Equal(7, left.Offset.Value);
        var listing = Assert.Single((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == "simple-g");
        Assert.True(listing.IsSimpleConsumerGroup);
        Assert.Equal(ConsumerGroupState.Empty, listing.State);
    }

    [Fact]
    public async Task AdminClient_DeleteOffsetsOfSubscribedTopic_ReportsGroupSubscribedToTopic()
    {
        await using var broker = await GroupConsumerTests.StartBrokerAsync();
        using var admin = Admin(broker);
        using var member = new GroupTestConsumer("c1", GroupConsumerTests.GroupConfig(broker, "subscribed-g"), Topic);
        await GroupConsumerTests.WaitBalancedAsync(member);

        var error = await Assert.ThrowsAsync<DeleteConsumerGroupOffsetsException>(() => admin.DeleteConsumerGroupOffsetsAsync("subscribed-g", [new TopicPartition(Topic, 0)]));

        Assert.Equal(ErrorCode.GroupSubscribedToTopic, error.Result.Partitions.Single().Error.Code);
    }
}

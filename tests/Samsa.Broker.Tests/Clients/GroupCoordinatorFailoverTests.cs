using Confluent.Kafka;
using Samsa.Broker.Groups;
using Samsa.Protocol.Messages.Internal;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Group state in __consumer_offsets: another node takes over a stopped coordinator, and tools can read the topic.</summary>
public class GroupCoordinatorFailoverTests
{
    private const string Topic = "orders";

    [Fact]
    public async Task FindCoordinator_CoordinatorNodeStopped_AnotherNodeTakesOverWithTheGroupAndItsOffsets()
    {
        await using var broker = await GroupConsumerTests.StartBrokerAsync(o =>
        {
            o.NodeCount = 3;
            o.DefaultReplicationFactor = 3;
        });
        await GroupConsumerTests.ProduceAsync(broker, 240);
        using var first = new GroupTestConsumer("c1", GroupConsumerTests.GroupConfig(broker, "failover"), Topic, commitEach: true);
        using var second = new GroupTestConsumer("c2", GroupConsumerTests.GroupConfig(broker, "failover"), Topic, commitEach: true);
        await GroupConsumerTests.WaitBalancedAsync(first, second);
        Assert.True(await Poll.TryUntilAsync(() => first.Received.Count + second.Received.Count >= 240, TimeSpan.FromSeconds(30)));
        var old = broker.Broker.Groups.FindCoordinator("failover").Node!.Id;

        // Commits follow receipt asynchronously: stop the coordinator only once it holds every one of them.
        Assert.True(await Poll.TryUntilAsync(
            () => broker.Broker.Groups.FetchOffsetsAsync(old, "failover", null).GetAwaiter().GetResult() is { Error: Samsa.Protocol.ErrorCode.None } r
                && r.Offsets.Count == 12 && r.Offsets.All(o => o.Committed?.Offset == 20),
            TimeSpan.FromSeconds(30)));
        await broker.Broker.StopNodeAsync(old);
        var (error, node) = broker.Broker.Groups.FindCoordinator("failover");
        Assert.Equal(Samsa.Protocol.ErrorCode.None, error);
        Assert.NotEqual(old, node!.Id);

        // The new coordinator replayed the group: it knows the committed offsets and the members.
        var loaded = await Poll.TryUntilAsync(
            () => broker.Broker.Groups.FetchOffsetsAsync(node.Id, "failover", null).GetAwaiter().GetResult() is { Error: Samsa.Protocol.ErrorCode.None } r && r.Offsets.Count == 12,
            TimeSpan.FromSeconds(10));
        Assert.True(loaded);
        var offsets = await broker.Broker.Groups.FetchOffsetsAsync(node.Id, "failover", null);
        Assert.All(offsets.Offsets, o => Assert.Equal(20, o.Committed!.Offset));

        // The consumers find it and go on; nothing is consumed twice (every record was committed).
        await GroupConsumerTests.ProduceAsync(broker, 240, start: 240);
        Assert.True(await Poll.TryUntilAsync(() => first.Received.Count + second.Received.Count >= 480, TimeSpan.FromSeconds(45)));
        var values = first.Received.Concat(second.Received).Select(r => r.Message.Value).ToList();
        Assert.Equal(480, values.Distinct().Count());
        var description = await broker.Broker.Groups.DescribeGroupAsync(node.Id, "failover");
        Assert.Equal(2, description.Members.Count);
    }

    [Fact]
    public async Task OffsetsTopic_CommittedOffsets_ReadableAsKafkaOffsetCommitRecords()
    {
        await using var broker = await GroupConsumerTests.StartBrokerAsync();
        await GroupConsumerTests.ProduceAsync(broker, 120);
        using (var member = new GroupTestConsumer("c1", GroupConsumerTests.GroupConfig(broker, "burrow-g"), Topic, commitEach: true))
        {
            Assert.True(await Poll.TryUntilAsync(() => member.Received.Count >= 120, TimeSpan.FromSeconds(30)));
        }

        // Read __consumer_offsets as Burrow does: every record of the group's partition, decoded with Kafka's schemas.
        var partition = GroupCoordinator.PartitionFor("burrow-g", 50);
        var config = broker.ConsumerConfig("burrow-reader", c => c.EnablePartitionEof = true);
        using var reader = new ConsumerBuilder<byte[], byte[]>(config).Build();
        reader.Assign(new TopicPartitionOffset(GroupCoordinator.OffsetsTopicName, partition, Offset.Beginning));
        var latest = new Dictionary<(string Topic, int Partition), long>();
        var groups = new List<GroupMetadataValue>();
        var reading = System.Diagnostics.Stopwatch.StartNew();
        while (reading.Elapsed < TimeSpan.FromSeconds(30))
        {
            // Bounded by the deadline, not by one empty poll: the first fetch can be slow on a loaded machine.
            var record = reader.Consume(TimeSpan.FromMilliseconds(500));
            if (record is null)
            {
                continue;
            }

            if (record.IsPartitionEOF)
            {
                break;
            }

            var key = new Samsa.Protocol.KafkaReader(record.Message.Key);
            var keyVersion = key.ReadInt16();
            if (keyVersion is 0 or 1)
            {
                var offsetKey = new OffsetCommitKey();
                offsetKey.Read(ref key, keyVersion);
                var value = new Samsa.Protocol.KafkaReader(record.Message.Value);
                var valueVersion = value.ReadInt16();
                var offsetValue = new OffsetCommitValue();
                offsetValue.Read(ref value, valueVersion);
                Assert.Equal("burrow-g", offsetKey.Group);
                latest[(offsetKey.Topic, offsetKey.Partition)] = offsetValue.Offset;
            }
            else if (keyVersion == 2)
            {
                var value = new Samsa.Protocol.KafkaReader(record.Message.Value);
                var valueVersion = value.ReadInt16();
                var group = new GroupMetadataValue();
                group.Read(ref value, valueVersion);
                groups.Add(group);
            }
        }

        Assert.Equal(12, latest.Count);
        Assert.All(latest, kv => Assert.Equal(Topic, kv.Key.Topic));
        Assert.All(latest.Values, offset => Assert.Equal(10, offset));

        // The Stable generation with its member, then the Empty one written when the member left.
        Assert.Contains(groups, g => g.ProtocolType == "consumer" && g.Protocol == "range" && g.Members.Count == 1);
        Assert.Empty(groups[^1].Members);
    }
}

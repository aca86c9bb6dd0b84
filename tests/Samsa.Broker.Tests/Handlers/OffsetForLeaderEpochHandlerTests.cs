using Samsa.Broker.Tests.Support;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Tests.Handlers;

public class OffsetForLeaderEpochHandlerTests
{
    [Fact]
    public async Task OffsetForLeaderEpoch_AfterLeaderMoved_ReturnsEndOfEachEpoch()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { NodeCount = 2, DefaultReplicationFactor = 2, SeedTopics = { ["epochs"] = 1 } });
        broker.Cluster.TryGetTopic("epochs", out var topic);
        var partition = topic.Partitions[0];
        var firstLeader = partition.Leadership.LeaderId;
        using (var client = await RawKafkaClient.ConnectAsync(broker, firstLeader))
        {
            await client.RoundTripAsync<ProduceResponse>(new ProduceRequest { Acks = -1, TimeoutMs = 5000, TopicData = [new() { Name = "epochs", PartitionData = [new() { Index = 0, Records = Batches.Build(4) }] }] }, 9);
        }

        await broker.StopNodeAsync(firstLeader);
        var newLeader = partition.Leadership.LeaderId;
        using var next = await RawKafkaClient.ConnectAsync(broker, newLeader);
        await next.RoundTripAsync<ProduceResponse>(new ProduceRequest { Acks = -1, TimeoutMs = 5000, TopicData = [new() { Name = "epochs", PartitionData = [new() { Index = 0, Records = Batches.Build(3) }] }] }, 9);

        var response = await next.RoundTripAsync<OffsetForLeaderEpochResponse>(
            new OffsetForLeaderEpochRequest
            {
                Topics = [new() { Topic = "epochs", Partitions = [new() { Partition = 0, LeaderEpoch = 0, CurrentLeaderEpoch = 1 }, new() { Partition = 0, LeaderEpoch = 1, CurrentLeaderEpoch = 1 }, new() { Partition = 0, LeaderEpoch = 0, CurrentLeaderEpoch = 0 }] }],
            },
            4);

        var results = response.Topics[0].Partitions;
        Assert.NotEqual(firstLeader, newLeader);
        Assert.Equal((0, 4L), (results[0].LeaderEpoch, results[0].EndOffset));
        Assert.Equal((1, 7L), (results[1].LeaderEpoch, results[1].EndOffset));
        Assert.Equal((short)ErrorCode.FencedLeaderEpoch, results[2].ErrorCode);
    }
}

using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing.Faults;

namespace Samsa.Testing.Tests.Faults;

/// <summary>Error responses built from a request's shape: the error at the narrowest level each response has one.</summary>
public sealed class MessageTreeTests
{
    private static readonly Func<Guid, string?> NoTopicIds = _ => null;

    [Fact]
    public void ErrorResponse_Produce_ErrorOnEachPartitionWithItsIndex()
    {
        var request = new ProduceRequest
        {
            TopicData = [new ProduceRequest.TopicProduceData { Name = "orders", PartitionData = [new() { Index = 0 }, new() { Index = 3 }] }],
        };

        var response = (ProduceResponse)MessageTree.ErrorResponse(request, typeof(ProduceResponse), (short)ErrorCode.NotEnoughReplicas, (_, _) => true, NoTopicIds);

        var topic = Assert.Single(response.Responses);
        Assert.Equal("orders", topic.Name);
        Assert.Equal([0, 3], topic.PartitionResponses.Select(p => p.Index));
        Assert.All(topic.PartitionResponses, p => Assert.Equal((short)ErrorCode.NotEnoughReplicas, p.ErrorCode));
        Assert.All(topic.PartitionResponses, p => Assert.Equal(MessageTree.InjectedMessage, p.ErrorMessage));
    }

    [Fact]
    public void ErrorResponse_FetchWithPartitions_ErrorOnPartitionsNotTheTop()
    {
        var request = new FetchRequest { Topics = [new FetchRequest.FetchTopic { Topic = "t", Partitions = [new() { Partition = 1 }] }] };

        var response = (FetchResponse)MessageTree.ErrorResponse(request, typeof(FetchResponse), (short)ErrorCode.NotLeaderOrFollower, (_, _) => true, NoTopicIds);

        Assert.Equal(0, response.ErrorCode);
        var partition = Assert.Single(Assert.Single(response.Responses).Partitions);
        Assert.Equal((1, (short)ErrorCode.NotLeaderOrFollower), (partition.PartitionIndex, partition.ErrorCode));
    }

    [Fact]
    public void ErrorResponse_Heartbeat_ErrorAtTheTop()
    {
        var response = (HeartbeatResponse)MessageTree.ErrorResponse(new HeartbeatRequest { GroupId = "g" }, typeof(HeartbeatResponse), (short)ErrorCode.RebalanceInProgress, (_, _) => true, NoTopicIds);

        Assert.Equal((short)ErrorCode.RebalanceInProgress, response.ErrorCode);
    }

    [Fact]
    public void ErrorResponse_FindCoordinatorBatched_ErrorPerKey()
    {
        var request = new FindCoordinatorRequest { CoordinatorKeys = ["a", "b"] };

        var response = (FindCoordinatorResponse)MessageTree.ErrorResponse(request, typeof(FindCoordinatorResponse), (short)ErrorCode.CoordinatorNotAvailable, (_, _) => true, NoTopicIds);

        Assert.Equal(["a", "b"], response.Coordinators.Select(c => c.Key));
        Assert.All(response.Coordinators, c => Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, c.ErrorCode));
    }

    [Fact]
    public void ErrorResponse_OffsetFetchPartitionList_MirrorsPartitionIndexes()
    {
        var request = new OffsetFetchRequest { GroupId = "g", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [2, 5] }] };

        var response = (OffsetFetchResponse)MessageTree.ErrorResponse(request, typeof(OffsetFetchResponse), (short)ErrorCode.UnstableOffsetCommit, (_, p) => p == 5, NoTopicIds);

        var partition = Assert.Single(Assert.Single(response.Topics).Partitions);
        Assert.Equal((5, (short)ErrorCode.UnstableOffsetCommit), (partition.PartitionIndex, partition.ErrorCode));
    }

    [Fact]
    public void PruneAndMerge_OnePartitionFailed_RestServedAndAnswersCombined()
    {
        var request = new ProduceRequest
        {
            TopicData =
            [
                new ProduceRequest.TopicProduceData { Name = "a", PartitionData = [new() { Index = 0 }, new() { Index = 1 }] },
                new ProduceRequest.TopicProduceData { Name = "b", PartitionData = [new() { Index = 0 }] },
            ],
        };
        bool Failed(string topic, int? partition) => topic == "a" && partition == 1;
        var injected = MessageTree.ErrorResponse(request, typeof(ProduceResponse), (short)ErrorCode.KafkaStorageError, Failed, NoTopicIds);

        MessageTree.Prune(request, Failed, NoTopicIds);
        var served = new ProduceResponse
        {
            Responses =
            [
                new ProduceResponse.TopicProduceResponse { Name = "a", PartitionResponses = [new() { Index = 0, BaseOffset = 10 }] },
                new ProduceResponse.TopicProduceResponse { Name = "b", PartitionResponses = [new() { Index = 0, BaseOffset = 20 }] },
            ],
        };
        MessageTree.Merge(served, injected);

        Assert.Equal([0], request.TopicData[0].PartitionData.Select(p => p.Index));
        var a = served.Responses.Single(t => t.Name == "a").PartitionResponses;
        Assert.Equal([(0, (short)0), (1, (short)ErrorCode.KafkaStorageError)], a.Select(p => (p.Index, p.ErrorCode)));
        Assert.Single(served.Responses.Single(t => t.Name == "b").PartitionResponses);
    }
}

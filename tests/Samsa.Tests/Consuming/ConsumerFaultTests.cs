using Samsa.Testing;
using Samsa.Testing.Faults;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;
using BrokerError = Samsa.Protocol.ErrorCode;
using ProtocolApi = Samsa.Protocol.ApiKey;

namespace Samsa.Tests.Consuming;

/// <summary>
/// The hosted consumer against broker errors injected through Samsa.Testing (<c>broker.Cluster.Faults</c>):
/// retriable fetch errors and coordinator errors are recovered from without losing, repeating, reordering or
/// dead-lettering a record, which the request log (<c>broker.Cluster.Requests</c>) shows commit by commit.
/// </summary>
public sealed class ConsumerFaultTests
{
    private const string Topic = "orders";
    private const string Group = "billing";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(BrokerError.NotLeaderOrFollower)]
    [InlineData(BrokerError.UnknownLeaderEpoch)]
    [InlineData(BrokerError.FencedLeaderEpoch)]
    [InlineData(BrokerError.KafkaStorageError)]
    public async Task Fetch_RetriableErrorOnTheFirstFetches_EveryRecordHandledOnceInOrderAndNothingDeadLettered(BrokerError error)
    {
        await using var broker = await StartFaultBrokerAsync();
        var kafka = broker.Cluster;
        await kafka.CreateTopicAsync(Topic, partitions: 2);
        await ProduceAsync(broker, Topic, Enumerable.Range(0, 60).Select(i => new TestEvent(i)));
        var end = EndOffsets(kafka);
        using var fault = kafka.Faults.FailNext(ProtocolApi.Fetch, error, count: 3, filter: new RequestFilter { Topic = Topic });
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, Topic, Group, handler);

        await host.StartAsync(Token);
        await WaitForCommitsAsync(kafka, end);
        await host.StopAsync(Token);

        Assert.Equal(3, fault.TimesApplied);
        Assert.Equal(3, kafka.Requests.Count(r => r.Api == ProtocolApi.Fetch && r.Faults.Contains(FaultKind.Error)
            && r.Partitions.Where(p => p.Topic == Topic).All(p => p.Error == error)));
        AssertHandledOnceInOrder(handler, end);
        Assert.Equal(0, host.Worker(Topic, Group).GetStatus().DeadLettered);
        AssertNothingWrittenBesidesTheInput(kafka);
    }

    [Theory]
    [InlineData(ProtocolApi.OffsetCommit, BrokerError.NotCoordinator)]
    [InlineData(ProtocolApi.OffsetCommit, BrokerError.CoordinatorNotAvailable)]
    [InlineData(ProtocolApi.OffsetCommit, BrokerError.CoordinatorLoadInProgress)]
    [InlineData(ProtocolApi.Heartbeat, BrokerError.NotCoordinator)]
    [InlineData(ProtocolApi.Heartbeat, BrokerError.CoordinatorNotAvailable)]
    public async Task Coordinator_ErrorsWhileRecordsFlow_WorkerFindsItAgainAndCommitsEveryOffsetOnce(ProtocolApi api, BrokerError error)
    {
        await using var broker = await StartFaultBrokerAsync();
        var kafka = broker.Cluster;
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, Topic, Group, handler);
        await host.StartAsync(Token);
        await host.Worker(Topic, Group).WaitForAssignmentAsync(2);
        await ProduceAsync(broker, Topic, Enumerable.Range(0, 20).Select(i => new TestEvent(i)));
        await WaitForCommitsAsync(kafka, EndOffsets(kafka));

        using var fault = kafka.Faults.FailNext(api, error, count: 3, filter: new RequestFilter { GroupId = Group });
        await ProduceAsync(broker, Topic, Enumerable.Range(20, 20).Select(i => new TestEvent(i)));
        await Poll.UntilAsync(() => fault.TimesApplied == 3, $"three {api} requests answered {error}");
        await ProduceAsync(broker, Topic, Enumerable.Range(40, 20).Select(i => new TestEvent(i)));
        var end = EndOffsets(kafka);
        await WaitForCommitsAsync(kafka, end);
        await host.StopAsync(Token);

        var log = kafka.Requests.ToList();
        var failed = log.Where(r => r.Api == api && r.GroupId == Group && r.Faults.Contains(FaultKind.Error)).ToList();
        Assert.Equal(3, failed.Count);
        Assert.All(failed, r => Assert.True(r.Error == error || r.Partitions.All(p => p.Error == error), r.ToString()));
        var afterFaults = log.Skip(log.LastIndexOf(failed[^1]) + 1)
            .Where(r => r.Api == ProtocolApi.OffsetCommit && r.GroupId == Group)
            .SelectMany(r => r.Partitions)
            .Where(p => p.Error == BrokerError.None)
            .ToList();
        foreach (var (partition, offset) in end)
        {
            Assert.Contains(afterFaults, c => c.Topic == Topic && c.Partition == partition && c.Offset == offset);
        }

        AssertHandledOnceInOrder(handler, end);
        Assert.Equal(0, host.Worker(Topic, Group).GetStatus().DeadLettered);
        AssertNothingWrittenBesidesTheInput(kafka);
    }

    [Fact]
    public async Task Coordinator_NodeStops_WorkerCommitsToTheNewCoordinatorAndNothingIsLost()
    {
        await using var broker = await StartFaultBrokerAsync(nodes: 3);
        var kafka = broker.Cluster;
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, Topic, Group, handler, replicationFactor: 3);
        await host.StartAsync(Token);
        await host.Worker(Topic, Group).WaitForAssignmentAsync(2);
        await ProduceAsync(broker, Topic, Enumerable.Range(0, 20).Select(i => new TestEvent(i)));
        await WaitForCommitsAsync(kafka, EndOffsets(kafka));
        // The coordinator is the node that accepted the group's commits.
        var before = kafka.Requests.Last(r => r.Api == ProtocolApi.OffsetCommit && r.GroupId == Group && r.Error == BrokerError.None).NodeId;

        await kafka.StopNodeAsync(before);
        await ProduceAsync(broker, Topic, Enumerable.Range(20, 40).Select(i => new TestEvent(i)));
        var end = EndOffsets(kafka);
        await WaitForCommitsAsync(kafka, end);
        await host.StopAsync(Token);

        foreach (var (partition, offset) in end)
        {
            var commit = kafka.Requests.First(r => r.Api == ProtocolApi.OffsetCommit && r.GroupId == Group
                && r.Partitions.Any(p => p.Topic == Topic && p.Partition == partition && p.Offset == offset && p.Error == BrokerError.None));
            Assert.NotEqual(before, commit.NodeId);
        }

        // At least once: a rebalance on the new coordinator may hand back records handled since the last commit.
        Assert.Equal(Enumerable.Range(0, 60), handler.Successes.Keys.Order());
        Assert.Equal(0, host.Worker(Topic, Group).GetStatus().DeadLettered);
        AssertNothingWrittenBesidesTheInput(kafka);
    }

    /// <summary>The end offset of each partition of <see cref="Topic"/>, from the produce requests the broker accepted.</summary>
    private static Dictionary<int, long> EndOffsets(KafkaTestCluster kafka) =>
        Enumerable.Range(0, 2).ToDictionary(
            p => p,
            p => (long)kafka.Requests.Produced(Topic).Where(r => r.Partition == p).Sum(r => r.RecordCount));

    private static async Task WaitForCommitsAsync(KafkaTestCluster kafka, Dictionary<int, long> end)
    {
        foreach (var (partition, offset) in end)
        {
            await kafka.WaitForCommittedOffsetAsync(Group, Topic, partition, offset, Wait, Token);
        }
    }

    /// <summary>Each record of each partition handled exactly once, in offset order, and no other.</summary>
    private static void AssertHandledOnceInOrder(RecordingHandler handler, Dictionary<int, long> end)
    {
        foreach (var (partition, offset) in end)
        {
            var offsets = handler.Calls.Where(c => c.Topic == Topic && c.Partition == partition).Select(c => c.Offset);
            Assert.Equal(Enumerable.Range(0, (int)offset).Select(o => (long)o), offsets);
        }

        Assert.Equal(end.Values.Sum(), handler.Calls.Count);
        Assert.All(handler.Successes.Values, n => Assert.Equal(1, n));
    }

    /// <summary>No dead letter or retry copy: the broker accepted produce requests for the input topic only.</summary>
    private static void AssertNothingWrittenBesidesTheInput(KafkaTestCluster kafka)
    {
        Assert.Empty(kafka.Requests.Produced($"{Topic}.dlq"));
        Assert.All(kafka.Requests.Produced(), p => Assert.Equal(Topic, p.Topic));
    }
}

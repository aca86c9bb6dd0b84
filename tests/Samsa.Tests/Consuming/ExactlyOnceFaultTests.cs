using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.Consuming;
using Samsa.Testing;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;
using BrokerError = Samsa.Protocol.ErrorCode;
using ProtocolApi = Samsa.Protocol.ApiKey;

namespace Samsa.Tests.Consuming;

/// <summary>
/// The exactly-once consumer on a three-node cluster while the leader of an output partition is lost in the middle of
/// its transactions (Samsa.Testing's <c>MakeLeaderless</c>, or its node stopped): read_committed readers see each
/// input's output once.
/// </summary>
public sealed class ExactlyOnceFaultTests
{
    private const string Topic = "orders";
    private const string Outputs = "outputs";
    private const string Group = "billing";

    /// <summary>An input of partition 0 in the middle of the second batch; its key (<c>k-60</c>) puts its output on partition 0 too.</summary>
    private const int Held = 60;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OutputPartitionLeaderless_MidTransaction_ReadCommittedOutputHasEachInputOnce()
    {
        await using var broker = await StartFaultBrokerAsync(nodes: 3);
        var kafka = broker.Cluster;
        var handler = Producing();
        using var host = BuildExactlyOnceHost(broker, handler);
        await host.StartAsync(Token);
        await host.Worker(Topic, Group).WaitForAssignmentAsync(2);
        await ProduceAsync(broker, Topic, Enumerable.Range(0, 30).Select(i => new TestEvent(i)));
        await WaitForCommitsAsync(kafka, EndOffsets(kafka));

        using (kafka.Faults.MakeLeaderless(Outputs, 0))
        {
            await ProduceAsync(broker, Topic, Enumerable.Range(30, 60).Select(i => new TestEvent(i)));
            var refused = await kafka.Requests.WaitForAsync(
                r => r.Api == ProtocolApi.Produce && r.TransactionalId is not null
                    && r.Partitions.Any(p => p.Topic == Outputs && p.Partition == 0 && p.Error == BrokerError.NotLeaderOrFollower),
                Wait,
                Token);
            Assert.NotNull(refused.TransactionalId);
        }

        var end = EndOffsets(kafka);
        Assert.Equal(90, end.Values.Sum());
        await WaitForCommitsAsync(kafka, end);
        await host.StopAsync(Token);

        var outputs = await kafka.ConsumeToEndAsync(Outputs, Wait, Token);
        Assert.Equal(Enumerable.Range(0, 90).Select(i => $"out-{i}").Order(), outputs.Select(r => r.Message.Value).Order());
        Assert.Contains(outputs, r => r.Partition.Value == 0);
        Assert.Empty(kafka.Requests.Produced($"{Topic}.dlq"));
        Assert.Equal(0, host.Worker(Topic, Group).GetStatus().DeadLettered);
    }

    [Fact]
    public async Task OutputLeaderNodeStops_MidTransaction_ReadCommittedOutputHasEachInputOnce()
    {
        await using var broker = await StartFaultBrokerAsync(nodes: 3);
        var kafka = broker.Cluster;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = Producing(async e =>
        {
            if (e.Id == Held)
            {
                reached.TrySetResult();
                await release.Task;
            }
        });
        using var host = BuildExactlyOnceHost(broker, handler);
        await host.StartAsync(Token);
        await host.Worker(Topic, Group).WaitForAssignmentAsync(2);
        await ProduceAsync(broker, Topic, Enumerable.Range(0, 30).Select(i => new TestEvent(i)));
        await WaitForCommitsAsync(kafka, EndOffsets(kafka));
        var leader = kafka.LeaderOf(Outputs, 0)!.Value;

        // Stop the output leader while the handler of an input whose output goes to that partition is inside a
        // transaction (its output produced, its offset not yet committable), then let it go on: the partition's
        // later outputs go to the new leader.
        await ProduceAsync(broker, Topic, Enumerable.Range(30, 60).Select(i => new TestEvent(i)));
        await reached.Task.WaitAsync(Wait, Token);
        await kafka.StopNodeAsync(leader);
        release.TrySetResult();
        var end = EndOffsets(kafka);
        await WaitForCommitsAsync(kafka, end);
        await host.StopAsync(Token);

        var newLeader = kafka.LeaderOf(Outputs, 0);
        Assert.NotEqual(leader, newLeader);
        Assert.Contains(kafka.Requests, r => r.Api == ProtocolApi.Produce && r.TransactionalId is not null && r.NodeId == newLeader
            && r.Partitions.Any(p => p.Topic == Outputs && p.Partition == 0 && p.Error == BrokerError.None));
        var outputs = await kafka.ConsumeToEndAsync(Outputs, Wait, Token);
        Assert.Equal(Enumerable.Range(0, 90).Select(i => $"out-{i}").Order(), outputs.Select(r => r.Message.Value).Order());
        Assert.Equal(0, Assert.Single(outputs, r => r.Message.Value == $"out-{Held}").Partition.Value);
        Assert.Empty(kafka.Requests.Produced($"{Topic}.dlq"));
        Assert.Equal(0, host.Worker(Topic, Group).GetStatus().DeadLettered);
    }

    /// <summary>A handler that produces <c>out-&lt;id&gt;</c> to <see cref="Outputs"/> for every event, then runs <paramref name="then"/>.</summary>
    private static RecordingHandler Producing(Func<TestEvent, Task>? then = null) => new()
    {
        Behavior = async (e, context, _) =>
        {
            context.Produce(Outputs, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"k-{e.Id}"), Value = Encoding.UTF8.GetBytes($"out-{e.Id}") });
            if (then is not null)
            {
                await then(e);
            }
        },
    };

    private static IHost BuildExactlyOnceHost(EmbeddedBroker broker, RecordingHandler handler) =>
        BuildHost(broker, Topic, Group, handler,
            configure: options =>
            {
                options.ExactlyOnce = true;
                options.MaxRecordsPerTransaction = 10;
                var fast = options.ConfigureProducer;
                options.ConfigureProducer = config =>
                {
                    fast?.Invoke(config);
                    config.TransactionTimeoutMs = 10_000;
                    config.SocketTimeoutMs = 5_000;
                    config.RetryBackoffMs = 20;
                };
            },
            more: samsa => samsa.AddTopic(Outputs, t =>
            {
                t.Partitions = 2;
                t.ReplicationFactor = 3;
            }),
            replicationFactor: 3);

    /// <summary>The end offset of each input partition, from the produce requests the broker accepted.</summary>
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
}

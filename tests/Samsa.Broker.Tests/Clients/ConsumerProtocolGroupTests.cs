using System.Diagnostics;
using Confluent.Kafka;
using Samsa.Broker.Groups;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Confluent.Kafka 2.16 consumers with <c>group.protocol=consumer</c> (KIP-848) against Samsa.Broker:
/// server-side assignment, incremental revocation, sessions, static members, regex subscriptions,
/// coordinator failover and restarts. An <see cref="OwnershipMonitor"/> checks throughout that no
/// partition is ever owned by two members at once.
/// </summary>
public class ConsumerProtocolGroupTests
{
    private const string Topic = "orders";
    private const int Partitions = 12;
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(45);

    internal static Task<EmbeddedBroker> StartBrokerAsync(Action<BrokerOptions>? configure = null) => EmbeddedBroker.StartAsync(o =>
    {
        o.SeedTopics[Topic] = Partitions;
        o.ConsumerGroupSessionTimeout = SessionTimeout;
        o.ConsumerGroupHeartbeatInterval = TimeSpan.FromMilliseconds(300);
        configure?.Invoke(o);
    });

    /// <summary>A consumer of the new protocol: no session timeout, heartbeat interval or assignment strategy on the client (the broker decides them).</summary>
    internal static ConsumerConfig Config(EmbeddedBroker broker, string groupId, Action<ConsumerConfig>? configure = null) =>
        broker.ConsumerConfig(groupId, c =>
        {
            c.GroupProtocol = Confluent.Kafka.GroupProtocol.Consumer;
            c.TopicMetadataRefreshIntervalMs = 1000;
            configure?.Invoke(c);
        });

    private static async Task ProduceAsync(EmbeddedBroker broker, int count, int start = 0, string topic = Topic, int partitions = Partitions)
    {
        using var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build();
        for (var i = start; i < start + count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        await Task.CompletedTask;
    }

    /// <summary>Waits until the members own all <paramref name="partitions"/> partitions between them, shares differing by at most one.</summary>
    private static async Task WaitBalancedAsync(int partitions, params GroupTestConsumer[] members)
    {
        var balanced = await Poll.TryUntilAsync(
            () =>
            {
                var counts = members.Select(m => m.Assignment.Count).ToList();
                return counts.Sum() == partitions
                    && counts.Max() - counts.Min() <= 1
                    && members.SelectMany(m => m.Assignment).Distinct().Count() == partitions;
            },
            Bounded);
        Assert.True(balanced, "Assignments: " + string.Join(" | ", members.Select(m => $"{m.Name}: {string.Join(',', m.Assignment.Select(p => $"{p.Topic}-{p.Partition.Value}"))}")));
    }

    private static List<string> Values(params GroupTestConsumer[] members) => members.SelectMany(m => m.Received).Select(r => r.Message.Value).ToList();

    [Fact]
    public async Task ConsumerProtocol_TwoMembersThenAThirdThenOneLeaves_PartitionsMoveIncrementallyAndNeverHaveTwoOwners()
    {
        await using var broker = await StartBrokerAsync();
        using var first = new GroupTestConsumer("c1", Config(broker, "kip848-grow"), Topic, commitEach: true);
        using var second = new GroupTestConsumer("c2", Config(broker, "kip848-grow"), Topic, commitEach: true);
        using var monitor = new OwnershipMonitor(first, second);
        await WaitBalancedAsync(Partitions, first, second);
        await ProduceAsync(broker, 600);
        Assert.True(await Poll.TryUntilAsync(() => Values(first, second).Count >= 600, Bounded));

        var before = first.Assignment.Concat(second.Assignment).ToDictionary(p => p, p => first.Assignment.Contains(p) ? "c1" : "c2");
        first.Revoked.Clear();
        second.Revoked.Clear();
        using var third = new GroupTestConsumer("c3", Config(broker, "kip848-grow"), Topic, commitEach: true);
        monitor.Add(third);
        await WaitBalancedAsync(Partitions, first, second, third);

        // Incremental: the old members gave up exactly what the newcomer took and kept the rest throughout.
        var revoked = first.Revoked.SelectMany(r => r).Concat(second.Revoked.SelectMany(r => r)).ToHashSet();
        Assert.Equal(third.Assignment.ToHashSet(), revoked);
        Assert.All(first.Assignment, p => Assert.Equal("c1", before[p]));
        Assert.All(second.Assignment, p => Assert.Equal("c2", before[p]));

        await ProduceAsync(broker, 600, start: 600);
        Assert.True(await Poll.TryUntilAsync(() => Values(first, second, third).Distinct().Count() >= 1200, Bounded));
        foreach (var member in new[] { first, second, third })
        {
            Assert.All(member.Received.Where(r => r.Offset.Value >= 50), r => Assert.Contains(r.TopicPartition, member.Assignment));
        }

        // A member that leaves (consumer close sends epoch -1) hands its partitions to the others.
        third.Close();
        await WaitBalancedAsync(Partitions, first, second);
        await ProduceAsync(broker, 240, start: 1200);
        Assert.True(await Poll.TryUntilAsync(() => Values(first, second, third).Distinct().Count() >= 1440, Bounded));
        Assert.Empty(monitor.Violations);

        var coordinator = broker.Broker.Groups.FindCoordinator("kip848-grow").Node!.Id;
        var description = await broker.Broker.Groups.DescribeConsumerGroupAsync(coordinator, "kip848-grow");
        Assert.Equal("Stable", description.State);
        Assert.Equal(2, description.Members.Count);
        Assert.Equal("uniform", description.AssignorName);
        Assert.All(description.Members, m => Assert.Equal(description.AssignmentEpoch, m.Member.MemberEpoch));
    }

    [Fact]
    public async Task ConsumerProtocol_MemberKilled_ItsPartitionsMoveOnceTheSessionTimesOut()
    {
        await using var broker = await StartBrokerAsync(o => o.SeedTopics[Topic] = 6);
        using var first = new GroupTestConsumer("c1", Config(broker, "kip848-killed"), Topic, commitEach: true);
        using var second = new GroupTestConsumer("c2", Config(broker, "kip848-killed"), Topic, commitEach: true);
        var victim = new GroupTestConsumer("c3", Config(broker, "kip848-killed"), Topic, commitEach: true);
        using var monitor = new OwnershipMonitor(first, second, victim);
        await WaitBalancedAsync(6, first, second, victim);
        await ProduceAsync(broker, 300, partitions: 6);
        Assert.True(await Poll.TryUntilAsync(() => Values(first, second, victim).Distinct().Count() >= 300, Bounded));
        var orphaned = victim.Assignment;

        var clock = Stopwatch.StartNew();
        monitor.Remove(victim);
        victim.Kill();
        await WaitBalancedAsync(6, first, second);

        // No leave heartbeat: the partitions moved only once the broker's session timeout passed, and soon after.
        Assert.InRange(clock.Elapsed, SessionTimeout - TimeSpan.FromMilliseconds(500), SessionTimeout + TimeSpan.FromSeconds(6));
        Assert.All(orphaned, p => Assert.True(first.Assignment.Contains(p) || second.Assignment.Contains(p)));
        await ProduceAsync(broker, 300, start: 300, partitions: 6);
        Assert.True(await Poll.TryUntilAsync(() => Values(first, second, victim).Distinct().Count() >= 600, Bounded));
        Assert.Empty(monitor.Violations);
    }

    [Fact]
    public async Task ConsumerProtocol_CoordinatorNodeStopped_AnotherNodeTakesOverTheGroupAndConsumptionGoesOn()
    {
        await using var broker = await StartBrokerAsync(o =>
        {
            o.NodeCount = 3;
            o.DefaultReplicationFactor = 3;
        });
        using var first = new GroupTestConsumer("c1", Config(broker, "kip848-failover"), Topic, commitEach: true);
        using var second = new GroupTestConsumer("c2", Config(broker, "kip848-failover"), Topic, commitEach: true);
        using var monitor = new OwnershipMonitor(first, second);
        await WaitBalancedAsync(Partitions, first, second);
        await ProduceAsync(broker, 240);
        Assert.True(await Poll.TryUntilAsync(() => Values(first, second).Count >= 240, Bounded));
        var old = broker.Broker.Groups.FindCoordinator("kip848-failover").Node!.Id;
        Assert.True(await Poll.TryUntilAsync(
            () => broker.Broker.Groups.FetchOffsetsAsync(old, "kip848-failover", null).GetAwaiter().GetResult() is { Error: Samsa.Protocol.ErrorCode.None } r
                && r.Offsets.Count == Partitions && r.Offsets.All(o => o.Committed?.Offset == 20),
            Bounded));
        var epochBefore = (await broker.Broker.Groups.DescribeConsumerGroupAsync(old, "kip848-failover")).GroupEpoch;

        await broker.Broker.StopNodeAsync(old);
        var (error, node) = broker.Broker.Groups.FindCoordinator("kip848-failover");
        Assert.Equal(Samsa.Protocol.ErrorCode.None, error);
        Assert.NotEqual(old, node!.Id);

        // The new coordinator replayed the group from __consumer_offsets: members, epochs and assignment.
        Assert.True(await Poll.TryUntilAsync(
            () => broker.Broker.Groups.DescribeConsumerGroupAsync(node.Id, "kip848-failover").GetAwaiter().GetResult() is { Error: Samsa.Protocol.ErrorCode.None } d
                && d.Members.Count == 2,
            TimeSpan.FromSeconds(10)));
        var replayed = await broker.Broker.Groups.DescribeConsumerGroupAsync(node.Id, "kip848-failover");
        Assert.Equal(epochBefore, replayed.GroupEpoch);
        Assert.Equal(Partitions, replayed.Members.Sum(m => m.Member.Assigned.Count));

        await ProduceAsync(broker, 240, start: 240);
        Assert.True(await Poll.TryUntilAsync(() => Values(first, second).Distinct().Count() >= 480, Bounded));
        Assert.Equal(480, Values(first, second).Distinct().Count());
        Assert.Empty(monitor.Violations);
    }

    [Fact]
    public async Task ConsumerProtocol_BrokerRestartedOnItsDataDirectory_GroupAndOffsetsSurviveAndConsumptionResumes()
    {
        var directory = Directory.CreateTempSubdirectory("samsa-kip848-").FullName;
        try
        {
            int epoch;
            await using (var broker = await StartBrokerAsync(o => o.DataDirectory = directory))
            {
                await ProduceAsync(broker, 240);
                using var before = new GroupTestConsumer("before", Config(broker, "kip848-restart"), Topic, commitEach: true);
                Assert.True(await Poll.TryUntilAsync(() => before.Received.Count >= 240, Bounded));
                var coordinator = broker.Broker.Groups.FindCoordinator("kip848-restart").Node!.Id;
                Assert.True(await Poll.TryUntilAsync(
                    () => broker.Broker.Groups.FetchOffsetsAsync(coordinator, "kip848-restart", null).GetAwaiter().GetResult().Offsets.Sum(o => o.Committed?.Offset ?? 0) == 240,
                    Bounded));
                before.Close();
                epoch = (await broker.Broker.Groups.DescribeConsumerGroupAsync(coordinator, "kip848-restart")).GroupEpoch;
            }

            await using (var broker = await StartBrokerAsync(o => o.DataDirectory = directory))
            {
                var coordinator = broker.Broker.Groups.FindCoordinator("kip848-restart").Node!.Id;
                var described = await broker.Broker.Groups.DescribeConsumerGroupAsync(coordinator, "kip848-restart");
                Assert.Equal(Samsa.Protocol.ErrorCode.None, described.Error);
                Assert.Equal("Empty", described.State);
                Assert.Equal(epoch, described.GroupEpoch);

                await ProduceAsync(broker, 120, start: 240);
                using var after = new GroupTestConsumer("after", Config(broker, "kip848-restart"), Topic, commitEach: true);
                Assert.True(await Poll.TryUntilAsync(() => after.Received.Count >= 120, Bounded));

                // Resumed from the committed offsets: only the new records, none of the first 240.
                Assert.Equal(Enumerable.Range(240, 120).Select(i => $"v{i}").Order(), after.Received.Select(r => r.Message.Value).Order());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task ConsumerProtocol_StaticMemberRestartsWithinTheSession_GetsItsPartitionsBackWithoutMovingOthers()
    {
        await using var broker = await StartBrokerAsync(o => o.ConsumerGroupSessionTimeout = TimeSpan.FromSeconds(20));
        void Static(ConsumerConfig c, string instance) => c.GroupInstanceId = instance;
        using var first = new GroupTestConsumer("c1", Config(broker, "kip848-static", c => Static(c, "i1")), Topic);
        var second = new GroupTestConsumer("c2", Config(broker, "kip848-static", c => Static(c, "i2")), Topic);
        await WaitBalancedAsync(Partitions, first, second);
        var kept = first.Assignment;
        var owned = second.Assignment;
        first.Revoked.Clear();
        first.Assigned.Clear();

        // A static member's close sends epoch -2: it keeps its assignment for its session timeout.
        second.Close();
        using var restarted = new GroupTestConsumer("c2-again", Config(broker, "kip848-static", c => Static(c, "i2")), Topic);
        Assert.True(await Poll.TryUntilAsync(() => restarted.Assignment.Count == owned.Count, Bounded));
        Assert.Equal(owned, restarted.Assignment);
        Assert.Equal(kept, first.Assignment);
        Assert.Empty(first.Revoked);
        Assert.Empty(first.Assigned);
    }

    [Fact]
    public async Task ConsumerProtocol_RegexSubscription_MatchingTopicsAssignedIncludingOnesCreatedLater()
    {
        await using var broker = await StartBrokerAsync(o =>
        {
            o.SeedTopics["metrics-a"] = 3;
            o.SeedTopics["metrics-b"] = 3;
        });
        using var member = new GroupTestConsumer("c1", Config(broker, "kip848-regex"), "^metrics-.*");
        Assert.True(await Poll.TryUntilAsync(() => member.Assignment.Count == 6, Bounded), "Assigned: " + string.Join(",", member.Assignment));
        Assert.DoesNotContain(member.Assignment, p => p.Topic == Topic);

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = "metrics-c", NumPartitions = 2, ReplicationFactor = 1 }]);
        }

        Assert.True(await Poll.TryUntilAsync(() => member.Assignment.Count == 8, Bounded), "Assigned: " + string.Join(",", member.Assignment));
        await ProduceAsync(broker, 20, topic: "metrics-c", partitions: 2);
        Assert.True(await Poll.TryUntilAsync(() => member.Received.Count(r => r.Topic == "metrics-c") == 20, Bounded));
    }

    [Fact]
    public async Task ConsumerProtocol_RangeAssignorChosenByTheMembers_ContiguousRanges()
    {
        await using var broker = await StartBrokerAsync(o => o.SeedTopics[Topic] = 6);
        void Range(ConsumerConfig c) => c.Set("group.remote.assignor", "range");
        using var first = new GroupTestConsumer("c1", Config(broker, "kip848-range", Range), Topic);
        using var second = new GroupTestConsumer("c2", Config(broker, "kip848-range", Range), Topic);
        await WaitBalancedAsync(6, first, second);
        var ranges = new[] { first, second }.Select(m => m.Assignment.Select(p => p.Partition.Value).Order().ToList()).OrderBy(r => r[0]).ToList();
        Assert.Equal([0, 1, 2], ranges[0]);
        Assert.Equal([3, 4, 5], ranges[1]);
        var coordinator = broker.Broker.Groups.FindCoordinator("kip848-range").Node!.Id;
        Assert.Equal("range", (await broker.Broker.Groups.DescribeConsumerGroupAsync(coordinator, "kip848-range")).AssignorName);
    }

    [Fact]
    public async Task ConsumerProtocol_AdminClient_ListsAndDescribesConsumerGroupsByType()
    {
        await using var broker = await StartBrokerAsync();
        using var modern = new GroupTestConsumer("c1", Config(broker, "kip848-listed"), Topic, commitEach: true);
        using var classic = new GroupTestConsumer("c2", broker.ConsumerConfig("classic-listed"), Topic);
        await WaitBalancedAsync(Partitions, modern);
        await WaitBalancedAsync(Partitions, classic);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var consumerOnly = await admin.ListConsumerGroupsAsync(new Confluent.Kafka.Admin.ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Consumer] });
        Assert.Contains(consumerOnly.Valid, g => g.GroupId == "kip848-listed" && g.Type == ConsumerGroupType.Consumer && g.State == ConsumerGroupState.Stable);
        Assert.DoesNotContain(consumerOnly.Valid, g => g.GroupId == "classic-listed");
        var classicOnly = await admin.ListConsumerGroupsAsync(new Confluent.Kafka.Admin.ListConsumerGroupsOptions { MatchTypes = [ConsumerGroupType.Classic] });
        Assert.Contains(classicOnly.Valid, g => g.GroupId == "classic-listed");
        Assert.DoesNotContain(classicOnly.Valid, g => g.GroupId == "kip848-listed");

        // Committed offsets are read as for any group (lag tools).
        await ProduceAsync(broker, 24);
        Assert.True(await Poll.TryUntilAsync(
            () => admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("kip848-listed", null)]).GetAwaiter().GetResult()[0]
                .Partitions.Sum(p => Math.Max(0, p.Offset.Value)) == 24,
            Bounded));
    }

    /// <summary>
    /// Samples the members' assignments (kept by their rebalance callbacks) in a tight loop and
    /// records any partition that two members own at the same time.
    /// </summary>
    private sealed class OwnershipMonitor : IDisposable
    {
        private readonly List<GroupTestConsumer> _members;
        private readonly Lock _lock = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public OwnershipMonitor(params GroupTestConsumer[] members)
        {
            _members = [.. members];
            _loop = Task.Run(RunAsync);
        }

        public List<string> Violations { get; } = [];

        public void Add(GroupTestConsumer member)
        {
            lock (_lock)
            {
                _members.Add(member);
            }
        }

        public void Remove(GroupTestConsumer member)
        {
            lock (_lock)
            {
                _members.Remove(member);
            }
        }

        private async Task RunAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                List<GroupTestConsumer> members;
                lock (_lock)
                {
                    members = [.. _members];
                }

                var owners = new Dictionary<TopicPartition, string>();
                foreach (var member in members)
                {
                    foreach (var partition in member.Assignment)
                    {
                        if (owners.TryGetValue(partition, out var other))
                        {
                            lock (_lock)
                            {
                                Violations.Add($"{partition} owned by {other} and {member.Name}");
                            }
                        }
                        else
                        {
                            owners[partition] = member.Name;
                        }
                    }
                }

                await Task.Delay(2);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }
    }
}

using System.Diagnostics;
using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Confluent.Kafka consumer groups against Samsa.Broker's group coordinator.</summary>
public class GroupConsumerTests
{
    private const string Topic = "orders";
    private const int Partitions = 12;
    private const int SessionTimeoutMs = 4000;
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(45);

    internal static Task<EmbeddedBroker> StartBrokerAsync(Action<BrokerOptions>? configure = null) => EmbeddedBroker.StartAsync(o =>
    {
        o.SeedTopics[Topic] = Partitions;
        o.GroupMinSessionTimeout = TimeSpan.FromSeconds(1);
        o.GroupInitialRebalanceDelay = TimeSpan.FromMilliseconds(300);
        configure?.Invoke(o);
    });

    internal static ConsumerConfig GroupConfig(EmbeddedBroker broker, string groupId, Action<ConsumerConfig>? configure = null) =>
        broker.ConsumerConfig(groupId, c =>
        {
            c.SessionTimeoutMs = SessionTimeoutMs;
            c.HeartbeatIntervalMs = 500;
            c.TopicMetadataRefreshIntervalMs = 2000;
            configure?.Invoke(c);
        });

    internal static async Task ProduceAsync(EmbeddedBroker broker, int count, int start = 0)
    {
        using var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build();
        for (var i = start; i < start + count; i++)
        {
            producer.Produce(new TopicPartition(Topic, i % Partitions), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        await Task.CompletedTask;
    }

    /// <summary>Waits until the members between them own all partitions, each its fair share, none twice.</summary>
    internal static async Task WaitBalancedAsync(params GroupTestConsumer[] members)
    {
        var share = Partitions / members.Length;
        var balanced = await Poll.TryUntilAsync(
            () =>
            {
                var assignments = members.Select(m => m.Assignment).ToList();
                return assignments.All(a => a.Count == share) && assignments.SelectMany(a => a).Distinct().Count() == Partitions;
            },
            Bounded);
        Assert.True(balanced, "Assignments: " + string.Join(" | ", members.Select(m => $"{m.Name}: {string.Join(',', m.Assignment.Select(p => p.Partition.Value))}")));
    }

    private static HashSet<(int Partition, long Offset)> Consumed(params GroupTestConsumer[] members) =>
        members.SelectMany(m => m.Received).Select(r => (r.Partition.Value, r.Offset.Value)).ToHashSet();

    [Fact]
    public async Task Subscribe_ThreeConsumersTwelvePartitions_EveryPartitionAssignedOnceEveryRecordConsumedOnce()
    {
        await using var broker = await StartBrokerAsync();
        using var first = new GroupTestConsumer("c1", GroupConfig(broker, "three"), Topic);
        using var second = new GroupTestConsumer("c2", GroupConfig(broker, "three"), Topic);
        using var third = new GroupTestConsumer("c3", GroupConfig(broker, "three"), Topic);
        await WaitBalancedAsync(first, second, third);

        await ProduceAsync(broker, 1200);
        Assert.True(await Poll.TryUntilAsync(() => first.Received.Count + second.Received.Count + third.Received.Count >= 1200, Bounded));

        var all = new[] { first, second, third }.SelectMany(m => m.Received).ToList();
        Assert.Equal(1200, all.Count);
        Assert.Equal(1200, all.Select(r => r.Message.Value).Distinct().Count());
        foreach (var member in new[] { first, second, third })
        {
            // Each member only got records of the partitions it owns.
            Assert.All(member.Received, r => Assert.Contains(r.TopicPartition, member.Assignment));
        }

        var coordinator = broker.Broker.Groups.FindCoordinator("three").Node!.Id;
        var description = await broker.Broker.Groups.DescribeGroupAsync(coordinator, "three");
        Assert.Equal("Stable", description.State);
        Assert.Equal(3, description.Members.Count);
    }

    [Fact]
    public async Task Subscribe_ConsumerKilledWithoutLeaving_PartitionsMoveWithinSessionTimeoutAndNothingIsLost()
    {
        await using var broker = await StartBrokerAsync();
        using var first = new GroupTestConsumer("c1", GroupConfig(broker, "killed"), Topic, commitEach: true);
        using var second = new GroupTestConsumer("c2", GroupConfig(broker, "killed"), Topic, commitEach: true);
        var victim = new GroupTestConsumer("c3", GroupConfig(broker, "killed"), Topic, commitEach: true);
        await WaitBalancedAsync(first, second, victim);
        await ProduceAsync(broker, 600);
        Assert.True(await Poll.TryUntilAsync(() => Consumed(first, second, victim).Count == 600, Bounded));
        var orphaned = victim.Assignment;

        var clock = Stopwatch.StartNew();
        victim.Kill();
        await ProduceAsync(broker, 600, start: 600);
        await WaitBalancedAsync(first, second);
        var moved = clock.Elapsed;

        // No LeaveGroup: the partitions moved only once the session timed out, and soon after.
        Assert.InRange(moved, TimeSpan.FromMilliseconds(SessionTimeoutMs - 1000), TimeSpan.FromMilliseconds(SessionTimeoutMs + 4000));
        Assert.True(await Poll.TryUntilAsync(() => Consumed(first, second, victim).Count == 1200, Bounded));
        Assert.Contains(orphaned, p => first.Assignment.Contains(p) || second.Assignment.Contains(p));
    }

    [Fact]
    public async Task Subscribe_CooperativeStickyThirdMemberJoins_OnlyThePartitionsItTakesMove()
    {
        await using var broker = await StartBrokerAsync();
        void Cooperative(ConsumerConfig c) => c.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        using var first = new GroupTestConsumer("c1", GroupConfig(broker, "sticky", Cooperative), Topic);
        using var second = new GroupTestConsumer("c2", GroupConfig(broker, "sticky", Cooperative), Topic);
        await WaitBalancedAsync(first, second);
        var before = first.Assignment.Concat(second.Assignment).ToDictionary(p => p, p => first.Assignment.Contains(p) ? "c1" : "c2");
        first.Revoked.Clear();
        second.Revoked.Clear();

        using var third = new GroupTestConsumer("c3", GroupConfig(broker, "sticky", Cooperative), Topic);
        await WaitBalancedAsync(first, second, third);

        // Incremental: each old member gave up only what the newcomer took, and kept the rest throughout.
        var revoked = first.Revoked.SelectMany(r => r).Concat(second.Revoked.SelectMany(r => r)).ToHashSet();
        Assert.Equal(third.Assignment.ToHashSet(), revoked);
        Assert.Equal(4, revoked.Count);
        Assert.All(first.Assignment, p => Assert.Equal("c1", before[p]));
        Assert.All(second.Assignment, p => Assert.Equal("c2", before[p]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Subscribe_CooperativeStickySecondJoinsWhileFirstRebalances_BothGetPartitionsAndCloseCleanly(bool thirdJoinsDuringFollowUp)
    {
        await using var broker = await StartBrokerAsync(o => o.GroupInitialRebalanceDelay = TimeSpan.Zero);
        void Cooperative(ConsumerConfig c) => c.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        using var first = new GroupTestConsumer("c1", GroupConfig(broker, "coop-race", Cooperative), Topic);
        Assert.True(await Poll.TryUntilAsync(() => !first.Assigned.IsEmpty, Bounded));

        // The first member is still settling its first generation (and its leader will rejoin for
        // the cooperative follow-up as soon as the second one shows up).
        using var second = new GroupTestConsumer("c2", GroupConfig(broker, "coop-race", Cooperative), Topic);
        var members = new List<GroupTestConsumer> { first, second };
        if (thirdJoinsDuringFollowUp)
        {
            // Once the first gave partitions up, its follow-up rejoin is due: a third member joins right then.
            Assert.True(await Poll.TryUntilAsync(() => !first.Revoked.IsEmpty, Bounded));
            members.Add(new GroupTestConsumer("c3", GroupConfig(broker, "coop-race", Cooperative), Topic));
        }

        await WaitBalancedAsync([.. members]);

        // Every member leaves within a bound: no request is left parked on the broker.
        var closing = Stopwatch.StartNew();
        foreach (var member in Enumerable.Reverse(members))
        {
            await Task.Run(member.Close).WaitAsync(TimeSpan.FromSeconds(20));
        }

        Assert.True(closing.Elapsed < TimeSpan.FromSeconds(20), $"closing took {closing.Elapsed}");
    }

    [Fact]
    public async Task Subscribe_ConsumerRestarted_ResumesFromItsCommittedOffset()
    {
        await using var broker = await StartBrokerAsync();
        await ProduceAsync(broker, 240);
        var before = new GroupTestConsumer("before", GroupConfig(broker, "restart"), Topic, commitEach: true);
        Assert.True(await Poll.TryUntilAsync(() => before.Received.Count >= 100, Bounded));
        before.Close();

        using var after = new GroupTestConsumer("after", GroupConfig(broker, "restart"), Topic, commitEach: true);
        Assert.True(await Poll.TryUntilAsync(() => before.Received.Count + after.Received.Count >= 240, Bounded));

        AssertResumedExactly(before, after, 240);
    }

    [Fact]
    public async Task Subscribe_ConsumerRestartedAfterBrokerRestart_ResumesFromItsCommittedOffset()
    {
        var directory = Directory.CreateTempSubdirectory("samsa-groups-");
        try
        {
            GroupTestConsumer before;
            await using (var broker = await StartBrokerAsync(o => o.DataDirectory = directory.FullName))
            {
                await ProduceAsync(broker, 240);
                before = new GroupTestConsumer("before", GroupConfig(broker, "durable"), Topic, commitEach: true);
                Assert.True(await Poll.TryUntilAsync(() => before.Received.Count >= 100, Bounded));
                before.Close();
            }

            await using (var broker = await StartBrokerAsync(o => o.DataDirectory = directory.FullName))
            {
                using var after = new GroupTestConsumer("after", GroupConfig(broker, "durable"), Topic, commitEach: true);
                Assert.True(await Poll.TryUntilAsync(() => before.Received.Count + after.Received.Count >= 240, Bounded));
                AssertResumedExactly(before, after, 240);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Every record was consumed once: the second consumer started exactly where the first committed.</summary>
    private static void AssertResumedExactly(GroupTestConsumer before, GroupTestConsumer after, int total)
    {
        var first = before.Received.Select(r => r.Message.Value).ToList();
        var second = after.Received.Select(r => r.Message.Value).ToList();
        Assert.Empty(first.Intersect(second));
        Assert.Equal(total, first.Concat(second).Distinct().Count());
        Assert.Equal(total, first.Count + second.Count);
    }

    [Fact]
    public async Task JoinGroup_SecondConsumerWithSameInstanceId_FencesTheFirst()
    {
        await using var broker = await StartBrokerAsync();
        using var first = new GroupTestConsumer("c1", GroupConfig(broker, "static", c => c.GroupInstanceId = "instance-1"), Topic);
        await WaitBalancedAsync(first);

        using var second = new GroupTestConsumer("c2", GroupConfig(broker, "static", c => c.GroupInstanceId = "instance-1"), Topic);

        Assert.True(
            await Poll.TryUntilAsync(() => first.Errors.Any(e => e.IsFatal && e.Reason.Contains("fenced", StringComparison.OrdinalIgnoreCase)), Bounded),
            "Errors of the first consumer: " + string.Join(" | ", first.Errors.Select(e => $"{e.Code} {e.Reason}")));
        await WaitBalancedAsync(second);
    }

    [Fact]
    public async Task Heartbeat_MemberRemovedByAdmin_ClientGetsUnknownMemberIdAndRejoins()
    {
        await using var broker = await StartBrokerAsync();
        var logs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var config = GroupConfig(broker, "removed", c => c.Debug = "cgrp");
        var consumer = new ConsumerBuilder<string, string>(config)
            .SetLogHandler((_, message) => logs.Enqueue(message.Message))
            .Build();
        consumer.Subscribe(Topic);
        string? memberId = null;
        var coordinator = broker.Broker.Groups.FindCoordinator("removed").Node!;
        Assert.True(await Poll.TryUntilAsync(
            () =>
            {
                consumer.Consume(TimeSpan.FromMilliseconds(20));
                memberId = consumer.MemberId;
                return consumer.Assignment.Count == Partitions;
            },
            Bounded));

        // An admin tool removes the member (LeaveGroup on its behalf).
        var leave = await broker.Broker.Groups.LeaveGroupAsync(coordinator.Id, "removed", [new Samsa.Broker.Groups.LeavingMember(memberId!, null, "removed by admin")]);
        Assert.Equal([Samsa.Protocol.ErrorCode.None], leave.MemberErrors);

        Assert.True(await Poll.TryUntilAsync(
            () =>
            {
                consumer.Consume(TimeSpan.FromMilliseconds(20));
                return consumer.MemberId != memberId && consumer.Assignment.Count == Partitions;
            },
            Bounded));
        Assert.Contains(logs, l => l.Contains("UNKNOWN_MEMBER_ID", StringComparison.Ordinal) || l.Contains("Unknown member", StringComparison.OrdinalIgnoreCase));
        consumer.Close();
        consumer.Dispose();
    }
}

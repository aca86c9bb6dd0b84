using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Groups;

/// <summary>
/// A second member joins a Stable cooperative group and the leader rejoins at once for the
/// cooperative follow-up rebalance, in each order the requests can reach the coordinator.
/// Every step is answered before the next is sent (a JoinGroup that must wait is proven parked
/// by the other member's heartbeat turning REBALANCE_IN_PROGRESS), so the order is the one written.
/// </summary>
public class CooperativeRebalanceWireTests
{
    private const string Group = "coop";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static Task<EmbeddedBroker> StartAsync() => EmbeddedBroker.StartAsync(o =>
    {
        o.GroupInitialRebalanceDelay = TimeSpan.Zero;
        o.GroupMinSessionTimeout = TimeSpan.FromSeconds(1);
        o.SeedTopics["t"] = 2;
    });

    [Fact]
    public async Task LeaderRejoinsBeforeNewcomerSyncs_NewcomerToldToRejoinAndBothFormNextGeneration()
    {
        await using var broker = await StartAsync();
        await using var a = await ConnectAsync(broker);
        await using var b = await ConnectAsync(broker);
        var (leader, second) = await FormGenerationTwoAsync(a, b);

        // The leader syncs (keeping its partition, giving the newcomer nothing yet) and rejoins at once.
        var leaderSync = await SyncAsync(a, leader, 2, new() { [leader] = [1] });
        Assert.Equal((short)ErrorCode.None, leaderSync.ErrorCode);
        var followUp = a.SendAsync<JoinGroupResponse>(Join(leader, owned: 1), 5, Bound);
        await UntilHeartbeatAsync(b, second, 2, ErrorCode.RebalanceInProgress);

        // The newcomer's generation-2 SyncGroup comes late: it is told to rejoin, and is still a member.
        Assert.Equal((short)ErrorCode.RebalanceInProgress, (await SyncAsync(b, second, 2, [])).ErrorCode);
        var rejoin = await b.SendAsync<JoinGroupResponse>(Join(second), 5, Bound);
        var leaderJoin = await followUp;

        await AssertGenerationThreeAsync(a, b, leader, second, leaderJoin, rejoin);
    }

    [Fact]
    public async Task NewcomerSyncsBeforeLeaderRejoins_GetsEmptyAssignmentThenFormsNextGeneration()
    {
        await using var broker = await StartAsync();
        await using var a = await ConnectAsync(broker);
        await using var b = await ConnectAsync(broker);
        var (leader, second) = await FormGenerationTwoAsync(a, b);

        Assert.Equal((short)ErrorCode.None, (await SyncAsync(a, leader, 2, new() { [leader] = [1] })).ErrorCode);
        var empty = await SyncAsync(b, second, 2, []);
        Assert.Equal((short)ErrorCode.None, empty.ErrorCode);
        Assert.Empty(empty.Assignment);

        var followUp = a.SendAsync<JoinGroupResponse>(Join(leader, owned: 1), 5, Bound);
        await UntilHeartbeatAsync(b, second, 2, ErrorCode.RebalanceInProgress);
        var rejoin = await b.SendAsync<JoinGroupResponse>(Join(second), 5, Bound);

        await AssertGenerationThreeAsync(a, b, leader, second, await followUp, rejoin);
    }

    [Fact]
    public async Task LeaderRejoinsBeforeItsOwnSync_SameMetadataGetsGenerationTwoAgainAndNewcomerStillServed()
    {
        await using var broker = await StartAsync();
        await using var a = await ConnectAsync(broker);
        await using var b = await ConnectAsync(broker);
        var (leader, second) = await FormGenerationTwoAsync(a, b);

        // Unchanged metadata during CompletingRebalance: it missed its answer, so it gets it again.
        var again = await a.SendAsync<JoinGroupResponse>(Join(leader), 5, Bound);
        Assert.Equal((short)ErrorCode.None, again.ErrorCode);
        Assert.Equal(2, again.GenerationId);
        Assert.Equal(2, again.Members.Count);

        Assert.Equal((short)ErrorCode.None, (await SyncAsync(a, leader, 2, new() { [leader] = [1] })).ErrorCode);
        var empty = await SyncAsync(b, second, 2, []);
        Assert.Equal((short)ErrorCode.None, empty.ErrorCode);
        Assert.Empty(empty.Assignment);
    }

    [Fact]
    public async Task NewcomerPendingWhenLeaderRejoins_JoinPhaseWaitsForItsSecondJoin()
    {
        await using var broker = await StartAsync();
        await using var a = await ConnectAsync(broker);
        await using var b = await ConnectAsync(broker);
        var leader = await FormGenerationOneAsync(a);

        var required = await b.SendAsync<JoinGroupResponse>(Join(""), 5, Bound);
        Assert.Equal((short)ErrorCode.MemberIdRequired, required.ErrorCode);

        // The leader rejoins while the newcomer holds only its member id: the rebalance waits for it.
        var leaderJoin = a.SendAsync<JoinGroupResponse>(Join(leader), 5, Bound);
        await UntilStateAsync(broker, "PreparingRebalance");
        var second = await b.SendAsync<JoinGroupResponse>(Join(required.MemberId), 5, Bound);
        var first = await leaderJoin;

        Assert.Equal((short)ErrorCode.None, first.ErrorCode);
        Assert.Equal((short)ErrorCode.None, second.ErrorCode);
        Assert.Equal(2, first.GenerationId);
        Assert.Equal(2, second.GenerationId);
        Assert.Equal(2, first.Members.Count);
    }

    private static async Task<GroupWireClient> ConnectAsync(EmbeddedBroker broker)
    {
        var (error, node) = broker.Broker.Groups.FindCoordinator(Group);
        Assert.Equal(ErrorCode.None, error);
        return await GroupWireClient.ConnectAsync(node!);
    }

    /// <summary>A alone: MEMBER_ID_REQUIRED, join, sync: Stable in generation 1.</summary>
    private static async Task<string> FormGenerationOneAsync(GroupWireClient a)
    {
        var required = await a.SendAsync<JoinGroupResponse>(Join(""), 5, Bound);
        var joined = await a.SendAsync<JoinGroupResponse>(Join(required.MemberId), 5, Bound);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal((short)ErrorCode.None, (await SyncAsync(a, joined.MemberId, 1, new() { [joined.MemberId] = [1, 2] })).ErrorCode);
        return joined.MemberId;
    }

    /// <summary>B joins (MEMBER_ID_REQUIRED, then with its id); A sees the rebalance and rejoins: generation 2 with both.</summary>
    private static async Task<(string Leader, string Second)> FormGenerationTwoAsync(GroupWireClient a, GroupWireClient b)
    {
        var leader = await FormGenerationOneAsync(a);
        var required = await b.SendAsync<JoinGroupResponse>(Join(""), 5, Bound);
        Assert.Equal((short)ErrorCode.MemberIdRequired, required.ErrorCode);
        var newcomer = b.SendAsync<JoinGroupResponse>(Join(required.MemberId), 5, Bound);
        await UntilHeartbeatAsync(a, leader, 1, ErrorCode.RebalanceInProgress);

        var leaderJoin = await a.SendAsync<JoinGroupResponse>(Join(leader), 5, Bound);
        var secondJoin = await newcomer;
        Assert.Equal((short)ErrorCode.None, leaderJoin.ErrorCode);
        Assert.Equal((short)ErrorCode.None, secondJoin.ErrorCode);
        Assert.Equal(2, leaderJoin.GenerationId);
        Assert.Equal(2, secondJoin.GenerationId);
        Assert.Equal(leader, leaderJoin.Leader);
        Assert.Equal(2, leaderJoin.Members.Count);
        return (leader, required.MemberId);
    }

    private static async Task AssertGenerationThreeAsync(
        GroupWireClient a, GroupWireClient b, string leader, string second, JoinGroupResponse leaderJoin, JoinGroupResponse secondJoin)
    {
        Assert.Equal((short)ErrorCode.None, leaderJoin.ErrorCode);
        Assert.Equal((short)ErrorCode.None, secondJoin.ErrorCode);
        Assert.Equal(3, leaderJoin.GenerationId);
        Assert.Equal(3, secondJoin.GenerationId);
        Assert.Equal(new[] { leader, second }.Order(), leaderJoin.Members.Select(m => m.MemberId).Order());

        var secondSync = b.SendAsync<SyncGroupResponse>(SyncRequest(second, 3, []), 3, Bound);
        Assert.Equal((short)ErrorCode.None, (await SyncAsync(a, leader, 3, new() { [leader] = [1], [second] = [2] })).ErrorCode);
        var assigned = await secondSync;
        Assert.Equal((short)ErrorCode.None, assigned.ErrorCode);
        Assert.Equal([2], assigned.Assignment);
        Assert.Equal((short)ErrorCode.None, (await b.SendAsync<HeartbeatResponse>(Heartbeat(second, 3), 3, Bound)).ErrorCode);
    }

    private static async Task UntilStateAsync(EmbeddedBroker broker, string state)
    {
        var coordinator = broker.Broker.Groups.FindCoordinator(Group).Node!.Id;
        var reached = await Poll.TryUntilAsync(
            () => broker.Broker.Groups.DescribeGroupAsync(coordinator, Group).GetAwaiter().GetResult().State == state,
            Bound);
        Assert.True(reached, $"the group did not reach {state}");
    }

    /// <summary>Heartbeats until the answer is <paramref name="expected"/>: the request the other member sent has reached the group.</summary>
    private static async Task UntilHeartbeatAsync(GroupWireClient client, string memberId, int generation, ErrorCode expected)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var response = await client.SendAsync<HeartbeatResponse>(Heartbeat(memberId, generation), 3, Bound);
            if (response.ErrorCode == (short)expected)
            {
                return;
            }

            Assert.Equal((short)ErrorCode.None, response.ErrorCode);
            Assert.True(clock.Elapsed < Bound, $"no {expected} within {Bound}");
            await Task.Yield();
        }
    }

    private static JoinGroupRequest Join(string memberId, int owned = 0) => new()
    {
        GroupId = Group,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 10_000,
        MemberId = memberId,
        ProtocolType = "consumer",

        // A cooperative member's metadata carries what it owns, so the follow-up join has new bytes.
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "cooperative-sticky", Metadata = owned == 0 ? GroupTestHarness.Subscription("t") : GroupTestHarness.Subscription("t", "owned-" + owned) }],
    };

    private static HeartbeatRequest Heartbeat(string memberId, int generation) => new() { GroupId = Group, MemberId = memberId, GenerationId = generation };

    private static SyncGroupRequest SyncRequest(string memberId, int generation, Dictionary<string, byte[]> assignments) => new()
    {
        GroupId = Group,
        GenerationId = generation,
        MemberId = memberId,
        Assignments = assignments.Select(kv => new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = kv.Key, Assignment = kv.Value }).ToList(),
    };

    private static Task<SyncGroupResponse> SyncAsync(GroupWireClient client, string memberId, int generation, Dictionary<string, byte[]> assignments) =>
        client.SendAsync<SyncGroupResponse>(SyncRequest(memberId, generation, assignments), 3, Bound);
}

using Samsa.Broker.Groups;
using Samsa.Protocol;

namespace Samsa.Broker.Tests.Groups;

public class ConsumerGroupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task JoinGroup_NewMemberWithoutId_ReturnsMemberIdRequired()
    {
        await using var h = new GroupTestHarness();

        var result = await h.Group.JoinAsync(GroupTestHarness.Join());

        Assert.Equal(ErrorCode.MemberIdRequired, result.Error);
        Assert.StartsWith("client-", result.MemberId);
        Assert.Equal(-1, result.GenerationId);
    }

    [Fact]
    public async Task JoinGroup_OldVersionNewMember_JoinsWithoutSecondRound()
    {
        await using var h = new GroupTestHarness();

        var result = (await h.AwaitJoinsAsync(h.Group.JoinAsync(GroupTestHarness.Join(requireKnownMemberId: false))))[0];

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(1, result.GenerationId);
        Assert.Equal(result.MemberId, result.LeaderId);
    }

    [Fact]
    public async Task JoinGroup_SingleMember_BecomesLeaderOfGenerationOne()
    {
        await using var h = new GroupTestHarness();

        var result = (await h.AwaitJoinsAsync(await h.StartJoinAsync()))[0];

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(1, result.GenerationId);
        Assert.Equal(result.MemberId, result.LeaderId);
        Assert.Equal("range", result.ProtocolName);
        Assert.Equal("consumer", result.ProtocolType);
        Assert.Single(result.Members);
        Assert.Equal("CompletingRebalance", (await h.Group.DescribeAsync()).State);
    }

    [Fact]
    public async Task JoinGroup_InitialDelay_WaitsAndTakesEveryMemberThatCame()
    {
        await using var h = new GroupTestHarness(initialDelay: TimeSpan.FromSeconds(3));
        var first = await h.StartJoinAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.False(first.IsCompleted);

        var second = await h.StartJoinAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.False(first.IsCompleted, "a member joining during the delay extends it");
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));

        var results = await Task.WhenAll(first, second).WaitAsync(Wait);
        Assert.All(results, r => Assert.Equal(1, r.GenerationId));
        var leader = Assert.Single(results, r => r.MemberId == r.LeaderId);
        Assert.Equal(2, leader.Members.Count);
        Assert.Empty(results.Single(r => r != leader).Members);
    }

    [Fact]
    public async Task JoinGroup_UnknownMemberId_ReturnsUnknownMemberId()
    {
        await using var h = new GroupTestHarness();
        await h.FormStableGroupAsync(1);

        var result = await h.Group.JoinAsync(GroupTestHarness.Join("nobody"));

        Assert.Equal(ErrorCode.UnknownMemberId, result.Error);
    }

    [Fact]
    public async Task JoinGroup_OtherProtocolType_ReturnsInconsistentGroupProtocol()
    {
        await using var h = new GroupTestHarness();
        await h.FormStableGroupAsync(1);

        var result = await h.Group.JoinAsync(GroupTestHarness.Join(protocolType: "connect"));

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, result.Error);
    }

    [Fact]
    public async Task JoinGroup_NoCommonProtocol_ReturnsInconsistentGroupProtocol()
    {
        await using var h = new GroupTestHarness();
        await h.FormStableGroupAsync(1);

        var result = await h.Group.JoinAsync(GroupTestHarness.Join(protocol: "roundrobin"));

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, result.Error);
    }

    [Fact]
    public async Task SyncGroup_LeaderAssigns_EveryMemberGetsItsAssignmentAndGroupIsStored()
    {
        await using var h = new GroupTestHarness();

        var joins = await h.FormStableGroupAsync(3);

        var description = await h.Group.DescribeAsync();
        Assert.Equal("Stable", description.State);
        Assert.Equal("range", description.ProtocolData);
        Assert.Equal(3, description.Members.Count);
        foreach (var member in description.Members)
        {
            Assert.Equal("assigned:" + member.MemberId, System.Text.Encoding.UTF8.GetString(member.Assignment));
        }

        var stored = h.Sink.Replay()["g"].Metadata!;
        Assert.Equal(1, stored.Generation);
        Assert.Equal(joins[0].LeaderId, stored.Leader);
        Assert.Equal(3, stored.Members.Count);
    }

    [Fact]
    public async Task SyncGroup_WrongGeneration_ReturnsIllegalGeneration()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        var result = await h.Group.SyncAsync(new SyncGroupCommand(joins[0].GenerationId + 1, joins[0].MemberId, null, null, null, new Dictionary<string, byte[]>()));

        Assert.Equal(ErrorCode.IllegalGeneration, result.Error);
    }

    [Fact]
    public async Task SyncGroup_WrongProtocolName_ReturnsInconsistentGroupProtocol()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        var result = await h.Group.SyncAsync(new SyncGroupCommand(joins[0].GenerationId, joins[0].MemberId, null, "consumer", "cooperative-sticky", new Dictionary<string, byte[]>()));

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, result.Error);
    }

    [Fact]
    public async Task SyncGroup_StoreFails_MembersGetTheErrorAndGroupRebalances()
    {
        await using var h = new GroupTestHarness();
        var join = (await h.AwaitJoinsAsync(await h.StartJoinAsync()))[0];
        h.Sink.FailWith = ErrorCode.NotEnoughReplicas;

        var result = await h.Group.SyncAsync(new SyncGroupCommand(join.GenerationId, join.MemberId, null, null, null, new Dictionary<string, byte[]>())).WaitAsync(Wait);

        Assert.Equal(ErrorCode.CoordinatorNotAvailable, result.Error);
        Assert.Equal("PreparingRebalance", (await h.Group.DescribeAsync()).State);
    }

    [Fact]
    public async Task Heartbeat_StableMember_ReturnsNone()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);

        Assert.Equal(ErrorCode.None, await h.Group.HeartbeatAsync(joins[1].MemberId, null, joins[1].GenerationId));
    }

    [Fact]
    public async Task Heartbeat_WrongGeneration_ReturnsIllegalGeneration()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        Assert.Equal(ErrorCode.IllegalGeneration, await h.Group.HeartbeatAsync(joins[0].MemberId, null, joins[0].GenerationId - 1));
    }

    [Fact]
    public async Task Heartbeat_UnknownMember_ReturnsUnknownMemberId()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        Assert.Equal(ErrorCode.UnknownMemberId, await h.Group.HeartbeatAsync("nobody", null, joins[0].GenerationId));
    }

    [Fact]
    public async Task Heartbeat_DuringRebalance_ReturnsRebalanceInProgress()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);
        _ = await h.StartJoinAsync();

        Assert.Equal(ErrorCode.RebalanceInProgress, await h.Group.HeartbeatAsync(joins[0].MemberId, null, joins[0].GenerationId));
    }

    [Fact]
    public async Task Heartbeat_SessionExpires_MemberIsRemovedAndTheOthersRebalance()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);
        var (alive, dead) = (joins[0], joins[1]);

        // The live member heartbeats; the other goes silent.
        for (var i = 0; i < 3; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(3));
            Assert.Equal(ErrorCode.None, await h.Group.HeartbeatAsync(alive.MemberId, null, alive.GenerationId));
        }

        await h.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(ErrorCode.RebalanceInProgress, await h.Group.HeartbeatAsync(alive.MemberId, null, alive.GenerationId));
        var rejoin = await h.Group.JoinAsync(GroupTestHarness.Join(alive.MemberId)).WaitAsync(Wait);

        Assert.Equal(2, rejoin.GenerationId);
        Assert.Equal(alive.MemberId, rejoin.LeaderId);
        Assert.Single(rejoin.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, await h.Group.HeartbeatAsync(dead.MemberId, null, dead.GenerationId));
    }

    [Fact]
    public async Task JoinGroup_MemberDoesNotRejoin_DroppedAtRebalanceTimeout()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);
        var rejoin = h.Group.JoinAsync(GroupTestHarness.Join(joins[0].MemberId));
        await h.DrainAsync();

        // The other member keeps heartbeating (REBALANCE_IN_PROGRESS) but never rejoins.
        for (var elapsed = TimeSpan.Zero; elapsed < GroupTestHarness.Rebalance - TimeSpan.FromSeconds(3); elapsed += TimeSpan.FromSeconds(3))
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(3));
            Assert.Equal(ErrorCode.RebalanceInProgress, await h.Group.HeartbeatAsync(joins[1].MemberId, null, joins[1].GenerationId));
            Assert.False(rejoin.IsCompleted);
        }

        await h.AdvanceAsync(TimeSpan.FromSeconds(6));
        var result = await rejoin.WaitAsync(Wait);

        Assert.Equal(2, result.GenerationId);
        Assert.Single(result.Members);
    }

    [Fact]
    public async Task SyncGroup_FollowerNeverSyncs_RemovedAtRebalanceTimeout()
    {
        await using var h = new GroupTestHarness();
        var first = await h.StartJoinAsync();
        var second = await h.StartJoinAsync();
        var joins = await h.AwaitJoinsAsync(first, second);
        var leader = joins.Single(j => j.MemberId == j.LeaderId);
        var follower = joins.Single(j => j != leader);
        var sync = await h.Group.SyncAsync(new SyncGroupCommand(leader.GenerationId, leader.MemberId, null, null, null, new Dictionary<string, byte[]>())).WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, sync.Error);

        for (var elapsed = TimeSpan.Zero; elapsed <= GroupTestHarness.Rebalance; elapsed += TimeSpan.FromSeconds(3))
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(3));
            await h.Group.HeartbeatAsync(leader.MemberId, null, leader.GenerationId);
            await h.Group.HeartbeatAsync(follower.MemberId, null, follower.GenerationId);
        }

        var description = await h.Group.DescribeAsync();
        Assert.DoesNotContain(description.Members, m => m.MemberId == follower.MemberId);
        Assert.Equal("PreparingRebalance", description.State);
    }

    [Fact]
    public async Task LeaveGroup_Member_RestRebalancesWithoutIt()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);

        var leave = await h.Group.LeaveAsync([new LeavingMember(joins[1].MemberId, null, "closing")]);
        var rejoin = await h.Group.JoinAsync(GroupTestHarness.Join(joins[0].MemberId)).WaitAsync(Wait);

        Assert.Equal([ErrorCode.None], leave.MemberErrors);
        Assert.Equal(ErrorCode.None, rejoin.Error);
        Assert.Equal(2, rejoin.GenerationId);
        Assert.Single(rejoin.Members);
    }

    [Fact]
    public async Task LeaveGroup_Batch_ErrorPerMember()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);

        var leave = await h.Group.LeaveAsync(
        [
            new LeavingMember(joins[0].MemberId, null, null),
            new LeavingMember("nobody", null, null),
            new LeavingMember("", "no-such-instance", null),
        ]);

        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId, ErrorCode.UnknownMemberId], leave.MemberErrors);
    }

    [Fact]
    public async Task LeaveGroup_LastMember_GroupBecomesEmptyAndIsStored()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        await h.Group.LeaveAsync([new LeavingMember(joins[0].MemberId, null, null)]);

        Assert.Equal("Empty", (await h.Group.DescribeAsync()).State);
        var stored = h.Sink.Replay()["g"].Metadata!;
        Assert.Equal(2, stored.Generation);
        Assert.Empty(stored.Members);
    }

    [Fact]
    public async Task JoinGroup_FollowerRejoinsStableWithSameMetadata_GetsCurrentGenerationWithoutRebalance()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);
        var follower = joins.Single(j => j.MemberId != j.LeaderId);

        var result = await h.Group.JoinAsync(GroupTestHarness.Join(follower.MemberId)).WaitAsync(Wait);

        Assert.Equal(follower.GenerationId, result.GenerationId);
        Assert.Equal("Stable", (await h.Group.DescribeAsync()).State);
    }

    [Fact]
    public async Task JoinGroup_MemberRejoinsWithNewMetadata_TriggersRebalance()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);
        var follower = joins.Single(j => j.MemberId != j.LeaderId);
        var leader = joins.Single(j => j.MemberId == j.LeaderId);

        // A cooperative member rejoins with its owned partitions in the metadata.
        var followerRejoin = h.Group.JoinAsync(GroupTestHarness.Join(follower.MemberId, metadata: GroupTestHarness.Subscription("t", "u")));
        await h.DrainAsync();
        Assert.Equal(ErrorCode.RebalanceInProgress, await h.Group.HeartbeatAsync(leader.MemberId, null, leader.GenerationId));
        var leaderRejoin = h.Group.JoinAsync(GroupTestHarness.Join(leader.MemberId));

        var results = await Task.WhenAll(followerRejoin, leaderRejoin).WaitAsync(Wait);
        Assert.All(results, r => Assert.Equal(2, r.GenerationId));
    }

    [Fact]
    public async Task JoinGroup_StaticMemberRestartsInStableGroup_KeepsAssignmentAndFencesOldId()
    {
        await using var h = new GroupTestHarness();
        var first = await h.StartJoinAsync(instanceId: "instance-a");
        var second = await h.StartJoinAsync(instanceId: "instance-b");
        var joins = await h.AwaitJoinsAsync(first, second);
        await h.SyncAllAsync(joins);
        var old = joins.Single(j => j.MemberId.StartsWith("instance-b", StringComparison.Ordinal));

        var restarted = await h.Group.JoinAsync(GroupTestHarness.Join(instanceId: "instance-b")).WaitAsync(Wait);

        Assert.Equal(ErrorCode.None, restarted.Error);
        Assert.NotEqual(old.MemberId, restarted.MemberId);
        Assert.Equal(old.GenerationId, restarted.GenerationId);
        Assert.Equal("Stable", (await h.Group.DescribeAsync()).State);
        var sync = await h.Group.SyncAsync(new SyncGroupCommand(restarted.GenerationId, restarted.MemberId, "instance-b", null, null, new Dictionary<string, byte[]>()));
        Assert.Equal("assigned:" + old.MemberId, System.Text.Encoding.UTF8.GetString(sync.Assignment));
        Assert.Equal(ErrorCode.FencedInstanceId, await h.Group.HeartbeatAsync(old.MemberId, "instance-b", old.GenerationId));
    }

    [Fact]
    public async Task JoinGroup_StaticMemberSilent_RemovedAfterSessionTimeout()
    {
        await using var h = new GroupTestHarness();
        var first = await h.StartJoinAsync(instanceId: "instance-a");
        var second = await h.StartJoinAsync(instanceId: "instance-b");
        var joins = await h.AwaitJoinsAsync(first, second);
        await h.SyncAllAsync(joins);
        var alive = joins.Single(j => j.MemberId.StartsWith("instance-a", StringComparison.Ordinal));

        for (var i = 0; i < 4; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(3));
            await h.Group.HeartbeatAsync(alive.MemberId, "instance-a", alive.GenerationId);
        }

        var description = await h.Group.DescribeAsync();
        Assert.Equal("PreparingRebalance", description.State);
        Assert.Single(description.Members);
    }

    [Fact]
    public async Task OffsetCommit_MemberAtCurrentGeneration_IsStoredAndFetched()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(
            joins[0].GenerationId,
            joins[0].MemberId,
            null,
            [new OffsetCommitEntry("t", 0, 42, 3, "meta", -1), new OffsetCommitEntry("t", 1, 7, -1, null, -1)]));
        var fetched = await h.Group.FetchOffsetsAsync([("t", [0, 1, 2])]);

        Assert.Equal([ErrorCode.None, ErrorCode.None], errors);
        Assert.Equal(42, fetched[0].Committed!.Offset);
        Assert.Equal(3, fetched[0].Committed!.LeaderEpoch);
        Assert.Equal("meta", fetched[0].Committed!.Metadata);
        Assert.Equal(7, fetched[1].Committed!.Offset);
        Assert.Null(fetched[2].Committed);
        Assert.Equal(2, (await h.Group.FetchOffsetsAsync(null)).Count);
    }

    [Fact]
    public async Task OffsetCommit_WrongGeneration_ReturnsIllegalGeneration()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(joins[0].GenerationId + 5, joins[0].MemberId, null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        Assert.Equal([ErrorCode.IllegalGeneration], errors);
    }

    [Fact]
    public async Task OffsetCommit_UnknownMember_ReturnsUnknownMemberId()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(joins[0].GenerationId, "nobody", null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        Assert.Equal([ErrorCode.UnknownMemberId], errors);
    }

    [Fact]
    public async Task OffsetCommit_WithoutGenerationOnActiveGroup_ReturnsUnknownMemberId()
    {
        await using var h = new GroupTestHarness();
        await h.FormStableGroupAsync(1);

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(-1, "", null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        Assert.Equal([ErrorCode.UnknownMemberId], errors);
    }

    [Fact]
    public async Task OffsetCommit_WithoutGenerationOnEmptyGroup_IsStored()
    {
        await using var h = new GroupTestHarness();

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(-1, "", null, [new OffsetCommitEntry("t", 0, 9, -1, null, -1)]));

        Assert.Equal([ErrorCode.None], errors);
        Assert.Equal(9, h.Sink.Replay()["g"].Offsets[new TopicPartitionKey("t", 0)].Offset);
    }

    [Fact]
    public async Task OffsetCommit_WhileCompletingRebalance_ReturnsRebalanceInProgress()
    {
        await using var h = new GroupTestHarness();
        var join = (await h.AwaitJoinsAsync(await h.StartJoinAsync()))[0];

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(join.GenerationId, join.MemberId, null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        Assert.Equal([ErrorCode.RebalanceInProgress], errors);
    }

    [Fact]
    public async Task OffsetCommit_WhilePreparingRebalanceAtCurrentGeneration_IsStored()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);
        _ = await h.StartJoinAsync();

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(joins[0].GenerationId, joins[0].MemberId, null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        Assert.Equal([ErrorCode.None], errors);
    }

    [Fact]
    public async Task OffsetCommit_MetadataTooLarge_ReturnsOffsetMetadataTooLarge()
    {
        await using var h = new GroupTestHarness();

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(-1, "", null,
            [new OffsetCommitEntry("t", 0, 1, -1, new string('x', 5000), -1), new OffsetCommitEntry("t", 1, 1, -1, "ok", -1)]));

        Assert.Equal([ErrorCode.OffsetMetadataTooLarge, ErrorCode.None], errors);
    }

    [Fact]
    public async Task OffsetCommit_AppendNotLeader_ReturnsNotCoordinator()
    {
        await using var h = new GroupTestHarness();
        h.Sink.FailWith = ErrorCode.NotLeaderOrFollower;

        var errors = await h.Group.CommitAsync(new OffsetCommitCommand(-1, "", null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        Assert.Equal([ErrorCode.NotCoordinator], errors);
        Assert.Null((await h.Group.FetchOffsetsAsync([("t", [0])]))[0].Committed);
    }

    [Fact]
    public async Task DeleteGroups_GroupWithMembers_ReturnsNonEmptyGroup()
    {
        await using var h = new GroupTestHarness();
        await h.FormStableGroupAsync(1);

        Assert.Equal(ErrorCode.NonEmptyGroup, await h.Group.DeleteAsync());
    }

    [Fact]
    public async Task DeleteGroups_EmptyGroup_WritesTombstonesAndCloses()
    {
        await using var h = new GroupTestHarness();
        await h.Group.CommitAsync(new OffsetCommitCommand(-1, "", null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        var error = await h.Group.DeleteAsync();

        Assert.Equal(ErrorCode.None, error);
        Assert.False(h.Sink.Replay().TryGetValue("g", out var left) && (left.Metadata is not null || left.Offsets.Count > 0));
        await Assert.ThrowsAsync<GroupClosedException>(() => h.Group.DescribeAsync());
    }

    [Fact]
    public async Task OffsetDelete_SubscribedTopic_ReturnsGroupSubscribedToTopic()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);
        await h.Group.CommitAsync(new OffsetCommitCommand(joins[0].GenerationId, joins[0].MemberId, null,
            [new OffsetCommitEntry("t", 0, 1, -1, null, -1), new OffsetCommitEntry("other", 0, 1, -1, null, -1)]));

        var result = await h.Group.DeleteOffsetsAsync([new TopicPartitionKey("t", 0), new TopicPartitionKey("other", 0)]);

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal([ErrorCode.GroupSubscribedToTopic, ErrorCode.None], result.PartitionErrors);
        var left = await h.Group.FetchOffsetsAsync(null);
        Assert.Equal("t", Assert.Single(left).Topic);
    }

    [Fact]
    public async Task Restore_StableGroupFromRecords_ComesBackStableWithMembersAndOffsets()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(2);
        await h.Group.CommitAsync(new OffsetCommitCommand(joins[0].GenerationId, joins[0].MemberId, null, [new OffsetCommitEntry("t", 0, 5, -1, "m", -1)]));

        await h.RestoreFromSinkAsync();

        var description = await h.Group.DescribeAsync();
        Assert.Equal("Stable", description.State);
        Assert.Equal(2, description.Members.Count);
        Assert.Equal(ErrorCode.None, await h.Group.HeartbeatAsync(joins[1].MemberId, null, joins[1].GenerationId));
        Assert.Equal(5, (await h.Group.FetchOffsetsAsync([("t", [0])]))[0].Committed!.Offset);
        var sync = await h.Group.SyncAsync(new SyncGroupCommand(joins[1].GenerationId, joins[1].MemberId, null, null, null, new Dictionary<string, byte[]>()));
        Assert.Equal("assigned:" + joins[1].MemberId, System.Text.Encoding.UTF8.GetString(sync.Assignment));
    }

    [Fact]
    public async Task Restore_MembersNeverReturn_RemovedAfterSessionTimeout()
    {
        await using var h = new GroupTestHarness();
        await h.FormStableGroupAsync(2);

        await h.RestoreFromSinkAsync();
        await h.AdvanceAsync(GroupTestHarness.Session + TimeSpan.FromSeconds(1));

        var description = await h.Group.DescribeAsync();
        Assert.Equal("Empty", description.State);
        Assert.Empty(description.Members);
    }

    [Fact]
    public async Task ExpireOffsets_EmptyGroupPastRetention_DeletesOffsetsAndGroup()
    {
        await using var h = new GroupTestHarness();
        await h.Group.CommitAsync(new OffsetCommitCommand(-1, "", null, [new OffsetCommitEntry("t", 0, 1, -1, null, -1)]));

        Assert.False(await h.Group.ExpireOffsetsAsync());
        h.Time.Advance(TimeSpan.FromDays(8));
        Assert.True(await h.Group.ExpireOffsetsAsync());

        Assert.False(h.Sink.Replay().TryGetValue("g", out var left) && left.Offsets.Count > 0);
    }

    [Fact]
    public async Task ExpireOffsets_EmptyGroupWithoutOffsets_RemovedAtOnce()
    {
        await using var h = new GroupTestHarness();
        var joins = await h.FormStableGroupAsync(1);
        await h.Group.LeaveAsync([new LeavingMember(joins[0].MemberId, null, null)]);

        Assert.True(await h.Group.ExpireOffsetsAsync());

        Assert.Null(h.Sink.Replay()["g"].Metadata);
    }

    [Fact]
    public async Task ExpireOffsets_StableGroup_KeepsOffsetsOfSubscribedTopics()
    {
        await using var h = new GroupTestHarness(retention: TimeSpan.FromMinutes(1));
        var joins = await h.FormStableGroupAsync(1);
        await h.Group.CommitAsync(new OffsetCommitCommand(joins[0].GenerationId, joins[0].MemberId, null,
            [new OffsetCommitEntry("t", 0, 1, -1, null, -1), new OffsetCommitEntry("old-topic", 0, 1, -1, null, -1)]));
        for (var i = 0; i < 25; i++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(3));
            Assert.Equal(ErrorCode.None, await h.Group.HeartbeatAsync(joins[0].MemberId, null, joins[0].GenerationId));
        }

        Assert.False(await h.Group.ExpireOffsetsAsync());

        Assert.Equal("t", Assert.Single(await h.Group.FetchOffsetsAsync(null)).Topic);
    }

    [Fact]
    public async Task DescribeGroups_DuringRebalance_HidesMetadataAndAssignment()
    {
        await using var h = new GroupTestHarness();
        await h.FormStableGroupAsync(1);
        _ = await h.StartJoinAsync();

        var description = await h.Group.DescribeAsync();

        Assert.Equal("PreparingRebalance", description.State);
        Assert.Equal("", description.ProtocolData);
        Assert.All(description.Members, m => Assert.Empty(m.Assignment));
    }

    [Fact]
    public async Task CloseAsync_WaitingJoin_AnsweredWithNotCoordinator()
    {
        var h = new GroupTestHarness(initialDelay: TimeSpan.FromSeconds(3));
        var waiting = await h.StartJoinAsync();

        await h.Group.CloseAsync();

        Assert.Equal(ErrorCode.NotCoordinator, (await waiting.WaitAsync(Wait)).Error);
    }
}

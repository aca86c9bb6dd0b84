using Samsa.Broker.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Groups;

/// <summary>
/// ConsumerGroupHeartbeat, ConsumerGroupDescribe and the member-epoch checks over the wire, with
/// crafted requests: the error paths, and the revocation order step by step.
/// </summary>
public class ConsumerGroupHeartbeatHandlerTests
{
    private const string Topic = "t";

    private static Task<EmbeddedBroker> StartAsync() => EmbeddedBroker.StartAsync(o =>
    {
        o.SeedTopics[Topic] = 2;
        o.GroupMinSessionTimeout = TimeSpan.FromSeconds(1);
    });

    private static async Task<GroupWireClient> CoordinatorAsync(EmbeddedBroker broker, string groupId)
    {
        var (error, node) = broker.Broker.Groups.FindCoordinator(groupId);
        Assert.Equal(ErrorCode.None, error);
        return await GroupWireClient.ConnectAsync(node!);
    }

    private static Guid TopicId(EmbeddedBroker broker) => broker.Broker.Cluster.TryGetTopic(Topic, out var topic) ? topic.Id : Guid.Empty;

    private static ConsumerGroupHeartbeatRequest Join(string groupId, string memberId, string? instanceId = null) => new()
    {
        GroupId = groupId,
        MemberId = memberId,
        MemberEpoch = 0,
        InstanceId = instanceId,
        RebalanceTimeoutMs = 30_000,
        SubscribedTopicNames = [Topic],
        TopicPartitions = [],
    };

    private static ConsumerGroupHeartbeatRequest Beat(string groupId, string memberId, int epoch, Guid topicId, params int[] owned) => new()
    {
        GroupId = groupId,
        MemberId = memberId,
        MemberEpoch = epoch,
        TopicPartitions = [new ConsumerGroupHeartbeatRequest.TopicPartitionsData { TopicId = topicId, Partitions = [.. owned] }],
    };

    private static int[] Assigned(ConsumerGroupHeartbeatResponse response) =>
        response.Assignment is null ? [] : response.Assignment.TopicPartitions.SelectMany(t => t.Partitions).Order().ToArray();

    private static Task<ConsumerGroupHeartbeatResponse> SendAsync(GroupWireClient client, ConsumerGroupHeartbeatRequest request, short version = 1) =>
        client.SendAsync<ConsumerGroupHeartbeatResponse>(request, version);

    [Theory]
    [InlineData("no-rebalance-timeout", "RebalanceTimeoutMs must be provided in first request.")]
    [InlineData("owned-on-join", "TopicPartitions must be empty when (re-)joining.")]
    [InlineData("no-subscription", "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.")]
    [InlineData("no-member-id", "MemberId can't be empty.")]
    [InlineData("bad-epoch", "MemberEpoch is invalid.")]
    [InlineData("empty-instance", "InstanceId can't be empty.")]
    public async Task ConsumerGroupHeartbeat_MalformedRequest_InvalidRequestWithKafkasMessage(string variant, string message)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g-invalid");
        var request = Join("g-invalid", "m1");
        switch (variant)
        {
            case "no-rebalance-timeout": request.RebalanceTimeoutMs = -1; break;
            case "owned-on-join": request.TopicPartitions = [new() { TopicId = TopicId(broker), Partitions = [0] }]; break;
            case "no-subscription": request.SubscribedTopicNames = []; break;
            case "no-member-id": request.MemberId = ""; request.MemberEpoch = 3; break;
            case "bad-epoch": request.MemberEpoch = -3; break;
            case "empty-instance": request.InstanceId = ""; break;
        }

        var response = await SendAsync(client, request);

        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
        Assert.Equal(message, response.ErrorMessage);
        Assert.DoesNotContain(broker.Broker.Groups.ListGroups(broker.Broker.Groups.FindCoordinator("g-invalid").Node!.Id).Groups, g => g.GroupId == "g-invalid");
    }

    [Fact]
    public async Task ConsumerGroupHeartbeat_UnknownAssignorOrBadRegex_RefusedByName()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g-refused");

        var assignor = Join("g-refused", "m1");
        assignor.ServerAssignor = "sticky";
        var regex = Join("g-refused", "m1");
        regex.SubscribedTopicNames = null;
        regex.SubscribedTopicRegex = "orders-(";

        var assignorResponse = await SendAsync(client, assignor);
        var regexResponse = await SendAsync(client, regex);

        Assert.Equal((short)ErrorCode.UnsupportedAssignor, assignorResponse.ErrorCode);
        Assert.Equal("ServerAssignor sticky is not supported. Supported assignors: uniform, range.", assignorResponse.ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidRegularExpression, regexResponse.ErrorCode);
    }

    [Fact]
    public async Task ConsumerGroupHeartbeat_PartitionMovesToNewMember_OnlyAfterThePreviousOwnerStopsListingIt()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g-revoke");
        var topicId = TopicId(broker);

        var a = await SendAsync(client, Join("g-revoke", "a"));
        Assert.Equal((short)ErrorCode.None, a.ErrorCode);
        Assert.Equal(1, a.MemberEpoch);
        Assert.Equal([0, 1], Assigned(a));
        Assert.True(a.HeartbeatIntervalMs > 0);

        // b joins: the target gives it a partition a still owns, so b gets nothing yet (but the new epoch).
        var b = await SendAsync(client, Join("g-revoke", "b"));
        Assert.Equal(2, b.MemberEpoch);
        Assert.Empty(Assigned(b));

        // a learns it must give one up: its assignment shrinks, its epoch stays until it has.
        var aRevoking = await SendAsync(client, Beat("g-revoke", "a", 1, topicId, 0, 1));
        Assert.Equal(1, aRevoking.MemberEpoch);
        var kept = Assigned(aRevoking);
        Assert.Single(kept);
        var moving = 1 - kept[0];

        // While a still lists it, b does not get it.
        var bWaiting = await SendAsync(client, Beat("g-revoke", "b", 2, topicId));
        Assert.Empty(Assigned(bWaiting));
        var aStillOwning = await SendAsync(client, Beat("g-revoke", "a", 1, topicId, 0, 1));
        Assert.Equal(1, aStillOwning.MemberEpoch);

        // a drops it: a moves to epoch 2, and b's next heartbeat hands it over.
        var aDone = await SendAsync(client, Beat("g-revoke", "a", 1, topicId, kept));
        Assert.Equal(2, aDone.MemberEpoch);
        var bGets = await SendAsync(client, Beat("g-revoke", "b", 2, topicId));
        Assert.Equal([moving], Assigned(bGets));

        var describe = await client.SendAsync<ConsumerGroupDescribeResponse>(new ConsumerGroupDescribeRequest { GroupIds = ["g-revoke", "nope"] }, 0);
        var group = describe.Groups[0];
        Assert.Equal((short)ErrorCode.None, group.ErrorCode);
        Assert.Equal("Stable", group.GroupState);
        Assert.Equal(2, group.GroupEpoch);
        Assert.Equal(2, group.AssignmentEpoch);
        Assert.Equal("uniform", group.AssignorName);
        Assert.Equal(["a", "b"], group.Members.Select(m => m.MemberId).Order());
        Assert.All(group.Members, m => Assert.Equal(Topic, m.Assignment.TopicPartitions.Single().TopicName));
        Assert.Equal((short)ErrorCode.GroupIdNotFound, describe.Groups[1].ErrorCode);
    }

    [Fact]
    public async Task ConsumerGroupHeartbeat_WrongEpochsAndMembers_FencedOrUnknown()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g-fence");
        var topicId = TopicId(broker);
        var joined = await SendAsync(client, Join("g-fence", "m1"));

        var ahead = await SendAsync(client, Beat("g-fence", "m1", joined.MemberEpoch + 5, topicId));
        var unknown = await SendAsync(client, Beat("g-fence", "stranger", 1, topicId));
        var missingGroup = await SendAsync(client, Beat("g-nothing", "m1", 3, topicId));
        var leaveUnknown = await SendAsync(client, new ConsumerGroupHeartbeatRequest { GroupId = "g-fence", MemberId = "stranger", MemberEpoch = -1 });

        Assert.Equal((short)ErrorCode.FencedMemberEpoch, ahead.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, unknown.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, missingGroup.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, leaveUnknown.ErrorCode);

        // Leaving with -1 takes the member out; the group is then Empty and its epoch moved on.
        var left = await SendAsync(client, new ConsumerGroupHeartbeatRequest { GroupId = "g-fence", MemberId = "m1", MemberEpoch = -1 });
        Assert.Equal((short)ErrorCode.None, left.ErrorCode);
        Assert.Equal(-1, left.MemberEpoch);
        var described = await broker.Broker.Groups.DescribeConsumerGroupAsync(broker.Broker.Groups.FindCoordinator("g-fence").Node!.Id, "g-fence");
        Assert.Equal("Empty", described.State);
        Assert.Equal(joined.MemberEpoch + 1, described.GroupEpoch);
    }

    [Fact]
    public async Task OffsetCommitAndFetch_ConsumerProtocolGroup_CheckMemberAndEpoch()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g-commit");
        var joined = await SendAsync(client, Join("g-commit", "m1"));

        OffsetCommitRequest Commit(string memberId, int epoch) => new()
        {
            GroupId = "g-commit",
            MemberId = memberId,
            GenerationIdOrMemberEpoch = epoch,
            Topics = [new() { Name = Topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 7 }] }],
        };
        OffsetFetchRequest Fetch(string? memberId, int epoch) => new()
        {
            Groups = [new() { GroupId = "g-commit", MemberId = memberId, MemberEpoch = epoch, Topics = [new() { Name = Topic, PartitionIndexes = [0] }] }],
        };

        var stale = await client.SendAsync<OffsetCommitResponse>(Commit("m1", joined.MemberEpoch - 1), 9);
        var unknown = await client.SendAsync<OffsetCommitResponse>(Commit("other", joined.MemberEpoch), 9);
        var admin = await client.SendAsync<OffsetCommitResponse>(Commit("", -1), 9);
        var current = await client.SendAsync<OffsetCommitResponse>(Commit("m1", joined.MemberEpoch), 9);
        var fetchStale = await client.SendAsync<OffsetFetchResponse>(Fetch("m1", joined.MemberEpoch + 1), 9);
        var fetchUnknown = await client.SendAsync<OffsetFetchResponse>(Fetch("other", 1), 9);
        var fetchCurrent = await client.SendAsync<OffsetFetchResponse>(Fetch("m1", joined.MemberEpoch), 9);
        var fetchAdmin = await client.SendAsync<OffsetFetchResponse>(Fetch(null, -1), 9);

        Assert.Equal((short)ErrorCode.StaleMemberEpoch, stale.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, unknown.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, admin.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.None, current.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.StaleMemberEpoch, fetchStale.Groups[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownMemberId, fetchUnknown.Groups[0].ErrorCode);
        Assert.Equal(7, fetchCurrent.Groups[0].Topics[0].Partitions[0].CommittedOffset);
        Assert.Equal(7, fetchAdmin.Groups[0].Topics[0].Partitions[0].CommittedOffset);
    }

    [Fact]
    public async Task ConsumerGroupHeartbeat_ClassicGroupWithMembers_GroupIdNotFoundAndTheOtherWayInconsistentProtocol()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g-classic");
        var join = new JoinGroupRequest
        {
            GroupId = "g-classic",
            SessionTimeoutMs = 10_000,
            RebalanceTimeoutMs = 10_000,
            ProtocolType = "consumer",
            Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = GroupTestHarness.Subscription(Topic) }],
        };
        var classic = await client.SendAsync<JoinGroupResponse>(join, 3);
        Assert.Equal((short)ErrorCode.None, classic.ErrorCode);

        var modernOnClassic = await SendAsync(client, Join("g-classic", "m1"));
        Assert.Equal((short)ErrorCode.GroupIdNotFound, modernOnClassic.ErrorCode);
        Assert.Equal("Group g-classic is not a consumer group.", modernOnClassic.ErrorMessage);

        await using var other = await CoordinatorAsync(broker, "g-modern");
        Assert.Equal((short)ErrorCode.None, (await SendAsync(other, Join("g-modern", "m1"))).ErrorCode);
        join.GroupId = "g-modern";
        var classicOnModern = await other.SendAsync<JoinGroupResponse>(join, 3);
        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, classicOnModern.ErrorCode);

        // DescribeGroups (classic) reports a consumer-protocol group as Dead, ConsumerGroupDescribe a classic one as not found.
        var classicDescribe = await other.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["g-modern"] }, 5);
        Assert.Equal("Dead", classicDescribe.Groups[0].GroupState);
        var modernDescribe = await client.SendAsync<ConsumerGroupDescribeResponse>(new ConsumerGroupDescribeRequest { GroupIds = ["g-classic"] }, 0);
        Assert.Equal((short)ErrorCode.GroupIdNotFound, modernDescribe.Groups[0].ErrorCode);

        // Once it is empty, the consumer-protocol group can become classic again.
        Assert.Equal((short)ErrorCode.None, (await SendAsync(other, new ConsumerGroupHeartbeatRequest { GroupId = "g-modern", MemberId = "m1", MemberEpoch = -1 })).ErrorCode);
        var converted = await other.SendAsync<JoinGroupResponse>(join, 3);
        Assert.Equal((short)ErrorCode.None, converted.ErrorCode);
    }

    [Fact]
    public async Task ConsumerGroupHeartbeat_StaticMember_InstanceIdHeldUntilReleasedThenTakenOverWithItsAssignment()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g-static");
        var topicId = TopicId(broker);
        var first = await SendAsync(client, Join("g-static", "m1", "instance-1"));
        Assert.Equal([0, 1], Assigned(first));

        var clash = await SendAsync(client, Join("g-static", "m2", "instance-1"));
        Assert.Equal((short)ErrorCode.UnreleasedInstanceId, clash.ErrorCode);

        var away = await SendAsync(client, new ConsumerGroupHeartbeatRequest { GroupId = "g-static", MemberId = "m1", InstanceId = "instance-1", MemberEpoch = -2 });
        Assert.Equal(-2, away.MemberEpoch);

        var back = await SendAsync(client, Join("g-static", "m2", "instance-1"));
        Assert.Equal((short)ErrorCode.None, back.ErrorCode);
        Assert.Equal([0, 1], Assigned(back));
        Assert.Equal(first.MemberEpoch, back.MemberEpoch);
        var fenced = await SendAsync(client, Beat("g-static", "m1", first.MemberEpoch, topicId, 0, 1));
        Assert.Equal((short)ErrorCode.UnknownMemberId, fenced.ErrorCode);
    }

    [Fact]
    public async Task ListGroups_TypesFilter_SeparatesConsumerProtocolFromClassicGroups()
    {
        await using var broker = await StartAsync();
        var node = broker.Broker.Groups.FindCoordinator("g-list").Node!;
        await using var client = await GroupWireClient.ConnectAsync(node);
        await SendAsync(client, Join("g-list", "m1"));
        await client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest { GroupId = "g-offsets-only", Topics = [new() { Name = Topic, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 1 }] }] },
            8);

        var consumer = await client.SendAsync<ListGroupsResponse>(new ListGroupsRequest { TypesFilter = ["Consumer"] }, 5);
        var all = await client.SendAsync<ListGroupsResponse>(new ListGroupsRequest(), 5);

        var listed = Assert.Single(consumer.Groups);
        Assert.Equal("g-list", listed.GroupId);
        Assert.Equal("consumer", listed.GroupType);
        Assert.Equal("consumer", listed.ProtocolType);
        Assert.Equal("Stable", listed.GroupState);
        if (broker.Broker.Groups.FindCoordinator("g-offsets-only").Node!.Id == node.Id)
        {
            Assert.Contains(all.Groups, g => g.GroupId == "g-offsets-only" && g.GroupType == "classic");
        }
    }
}

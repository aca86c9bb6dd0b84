using Samsa.Broker.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Groups;

/// <summary>The group APIs over the wire, at every version the broker serves.</summary>
public class GroupHandlerTests
{
    private static Task<EmbeddedBroker> StartAsync(int nodes = 1) => EmbeddedBroker.StartAsync(o =>
    {
        o.NodeCount = nodes;
        o.GroupInitialRebalanceDelay = TimeSpan.Zero;
        o.GroupMinSessionTimeout = TimeSpan.FromSeconds(1);
        o.SeedTopics["t"] = 2;
    });

    private static async Task<GroupWireClient> CoordinatorAsync(EmbeddedBroker broker, string groupId)
    {
        var (error, node) = broker.Broker.Groups.FindCoordinator(groupId);
        Assert.Equal(ErrorCode.None, error);
        return await GroupWireClient.ConnectAsync(node!);
    }

    private static JoinGroupRequest JoinRequest(string groupId, string memberId = "", string? instanceId = null) => new()
    {
        GroupId = groupId,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 10_000,
        MemberId = memberId,
        GroupInstanceId = instanceId,
        ProtocolType = "consumer",
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = GroupTestHarness.Subscription("t") }],
    };

    /// <summary>Joins a one-member group at <paramref name="version"/> (twice from v4: MEMBER_ID_REQUIRED first).</summary>
    private static async Task<JoinGroupResponse> JoinAloneAsync(GroupWireClient client, string groupId, short version)
    {
        var response = await client.SendAsync<JoinGroupResponse>(JoinRequest(groupId), version);
        if (version >= 4)
        {
            Assert.Equal((short)ErrorCode.MemberIdRequired, response.ErrorCode);
            response = await client.SendAsync<JoinGroupResponse>(JoinRequest(groupId, response.MemberId), version);
        }

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        return response;
    }

    private static async Task<(string MemberId, int Generation)> FormStableAsync(GroupWireClient client, string groupId)
    {
        var join = await JoinAloneAsync(client, groupId, 5);
        var sync = await client.SendAsync<SyncGroupResponse>(
            new SyncGroupRequest
            {
                GroupId = groupId,
                GenerationId = join.GenerationId,
                MemberId = join.MemberId,
                Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = join.MemberId, Assignment = [1, 2, 3] }],
            },
            3);
        Assert.Equal((short)ErrorCode.None, sync.ErrorCode);
        return (join.MemberId, join.GenerationId);
    }

    [Fact]
    public async Task ApiVersions_GroupApis_AdvertisedWithFullRanges()
    {
        await using var broker = await StartAsync();
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[0]);

        var response = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3);

        var ranges = response.ApiKeys.ToDictionary(k => (ApiKey)k.ApiKey, k => (k.MinVersion, k.MaxVersion));
        Assert.Equal((0, 6), ranges[ApiKey.FindCoordinator]);
        Assert.Equal((0, 9), ranges[ApiKey.JoinGroup]);
        Assert.Equal((0, 5), ranges[ApiKey.SyncGroup]);
        Assert.Equal((0, 4), ranges[ApiKey.Heartbeat]);
        Assert.Equal((0, 5), ranges[ApiKey.LeaveGroup]);
        Assert.Equal((0, 9), ranges[ApiKey.OffsetCommit]);
        Assert.Equal((0, 9), ranges[ApiKey.OffsetFetch]);
        Assert.Equal((0, 5), ranges[ApiKey.ListGroups]);
        Assert.Equal((0, 5), ranges[ApiKey.DescribeGroups]);
        Assert.Equal((0, 2), ranges[ApiKey.DeleteGroups]);
        Assert.Equal((0, 0), ranges[ApiKey.OffsetDelete]);
        Assert.Equal((0, 1), ranges[ApiKey.ConsumerGroupHeartbeat]);
        Assert.Equal((0, 0), ranges[ApiKey.ConsumerGroupDescribe]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task FindCoordinator_SingleKey_ReturnsLeaderOfTheGroupsOffsetsPartition(short version)
    {
        await using var broker = await StartAsync(nodes: 3);
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[0]);

        var response = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "my-group" }, version);

        Assert.True(broker.Broker.Cluster.TryGetTopic(GroupCoordinator.OffsetsTopicName, out var topic));
        var leader = topic.Partitions[GroupCoordinator.PartitionFor("my-group", topic.Partitions.Count)].Leadership.LeaderId;
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(leader, response.NodeId);
        Assert.Equal(broker.Broker.Nodes[leader].Port, response.Port);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task FindCoordinator_BatchedKeys_ReturnsOneCoordinatorEach(short version)
    {
        await using var broker = await StartAsync(nodes: 2);
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[0]);

        var response = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { CoordinatorKeys = ["a", "b", "c"] }, version);

        Assert.Equal(["a", "b", "c"], response.Coordinators.Select(c => c.Key));
        Assert.All(response.Coordinators, c => Assert.Equal((short)ErrorCode.None, c.ErrorCode));
        Assert.Equal(broker.Broker.Groups.FindCoordinator("b").Node!.Id, response.Coordinators[1].NodeId);
    }

    [Fact]
    public async Task FindCoordinator_TransactionKey_ReturnsTransactionCoordinator()
    {
        await using var broker = await StartAsync();
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[0]);

        var response = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "tx", KeyType = 1 }, 3);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(broker.Broker.Nodes[0].Port, response.Port);
    }

    [Fact]
    public async Task OffsetsTopic_Created_IsInternalCompactedWithKafkasPartitionCount()
    {
        await using var broker = await StartAsync(nodes: 2);

        Assert.True(broker.Broker.Cluster.TryGetTopic(GroupCoordinator.OffsetsTopicName, out var topic));
        Assert.True(topic.IsInternal);
        Assert.Equal(50, topic.Partitions.Count);
        Assert.Equal(2, topic.Partitions[0].Leadership.Replicas.Length);
        Assert.Contains("compact", topic.Config.Get(Samsa.Broker.Cluster.TopicConfigDefinitions.CleanupPolicy), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task JoinGroup_EveryVersion_NewMemberBecomesLeader(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g" + version);

        var response = await JoinAloneAsync(client, "g" + version, version);

        Assert.Equal(1, response.GenerationId);
        Assert.Equal(response.MemberId, response.Leader);
        Assert.Equal("range", response.ProtocolName);
        Assert.Single(response.Members);
        Assert.StartsWith("wire-test-", response.MemberId);
        if (version >= 7)
        {
            Assert.Equal("consumer", response.ProtocolType);
        }
    }

    [Fact]
    public async Task JoinGroup_UnknownMember_ReturnsUnknownMemberId()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        await FormStableAsync(client, "g");

        var response = await client.SendAsync<JoinGroupResponse>(JoinRequest("g", "not-a-member"), 5);

        Assert.Equal((short)ErrorCode.UnknownMemberId, response.ErrorCode);
    }

    [Fact]
    public async Task JoinGroup_SessionTimeoutBelowMinimum_ReturnsInvalidSessionTimeout()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var request = JoinRequest("g");
        request.SessionTimeoutMs = 500;

        var response = await client.SendAsync<JoinGroupResponse>(request, 5);

        Assert.Equal((short)ErrorCode.InvalidSessionTimeout, response.ErrorCode);
    }

    [Fact]
    public async Task JoinGroup_EmptyGroupId_ReturnsInvalidGroupId()
    {
        await using var broker = await StartAsync();
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[0]);

        var response = await client.SendAsync<JoinGroupResponse>(JoinRequest(""), 5);

        Assert.Equal((short)ErrorCode.InvalidGroupId, response.ErrorCode);
    }

    [Fact]
    public async Task JoinGroup_NodeNotCoordinator_ReturnsNotCoordinator()
    {
        await using var broker = await StartAsync(nodes: 2);
        var coordinator = broker.Broker.Groups.FindCoordinator("g").Node!;
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[1 - coordinator.Id]);

        var response = await client.SendAsync<JoinGroupResponse>(JoinRequest("g"), 5);

        Assert.Equal((short)ErrorCode.NotCoordinator, response.ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task SyncGroup_EveryVersion_LeaderGetsItsAssignment(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var join = await JoinAloneAsync(client, "g", 5);

        var response = await client.SendAsync<SyncGroupResponse>(
            new SyncGroupRequest
            {
                GroupId = "g",
                GenerationId = join.GenerationId,
                MemberId = join.MemberId,
                ProtocolType = version >= 5 ? "consumer" : null,
                ProtocolName = version >= 5 ? "range" : null,
                Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = join.MemberId, Assignment = [7] }],
            },
            version);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(new byte[] { 7 }, response.Assignment);
        if (version >= 5)
        {
            Assert.Equal("range", response.ProtocolName);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Heartbeat_EveryVersion_StableMemberGetsNone(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var (memberId, generation) = await FormStableAsync(client, "g");

        var response = await client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "g", MemberId = memberId, GenerationId = generation }, version);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
    }

    [Fact]
    public async Task Heartbeat_WrongGeneration_ReturnsIllegalGeneration()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var (memberId, generation) = await FormStableAsync(client, "g");

        var response = await client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "g", MemberId = memberId, GenerationId = generation + 1 }, 4);

        Assert.Equal((short)ErrorCode.IllegalGeneration, response.ErrorCode);
    }

    [Fact]
    public async Task Heartbeat_UnknownMember_ReturnsUnknownMemberId()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var (_, generation) = await FormStableAsync(client, "g");

        var response = await client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "g", MemberId = "someone-else", GenerationId = generation }, 4);

        Assert.Equal((short)ErrorCode.UnknownMemberId, response.ErrorCode);
    }

    [Fact]
    public async Task Heartbeat_GroupThatDoesNotExist_ReturnsUnknownMemberId()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "nothing-here");

        var response = await client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "nothing-here", MemberId = "m", GenerationId = 1 }, 4);

        Assert.Equal((short)ErrorCode.UnknownMemberId, response.ErrorCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task LeaveGroup_EveryVersion_MemberLeavesAndGroupIsEmpty(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var (memberId, _) = await FormStableAsync(client, "g");
        var request = version >= 3
            ? new LeaveGroupRequest { GroupId = "g", Members = [new LeaveGroupRequest.MemberIdentity { MemberId = memberId, Reason = version >= 5 ? "bye" : null }, new LeaveGroupRequest.MemberIdentity { MemberId = "ghost" }] }
            : new LeaveGroupRequest { GroupId = "g", MemberId = memberId };

        var response = await client.SendAsync<LeaveGroupResponse>(request, version);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        if (version >= 3)
        {
            Assert.Equal([(short)ErrorCode.None, (short)ErrorCode.UnknownMemberId], response.Members.Select(m => m.ErrorCode));
        }

        var description = await broker.Broker.Groups.DescribeGroupAsync(broker.Broker.Groups.FindCoordinator("g").Node!.Id, "g");
        Assert.Equal("Empty", description.State);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public async Task OffsetCommit_EveryVersion_CommittedOffsetIsFetchedBack(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var (memberId, generation) = version >= 1 ? await FormStableAsync(client, "g") : ("", -1);

        var commit = await client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = "g",
                GenerationIdOrMemberEpoch = generation,
                MemberId = memberId,
                Topics =
                [
                    new OffsetCommitRequest.OffsetCommitRequestTopic
                    {
                        Name = "t",
                        Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 40 + version, CommittedMetadata = "v" + version, CommittedLeaderEpoch = version >= 6 ? 0 : -1 }],
                    },
                    new OffsetCommitRequest.OffsetCommitRequestTopic
                    {
                        Name = "no-such-topic",
                        Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 1 }],
                    },
                ],
            },
            version);
        var fetch = await client.SendAsync<OffsetFetchResponse>(
            new OffsetFetchRequest { GroupId = "g", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [0, 1] }] },
            Math.Min(version, (short)7));

        Assert.Equal((short)ErrorCode.None, commit.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, commit.Topics[1].Partitions[0].ErrorCode);
        var partitions = fetch.Topics.Single().Partitions.OrderBy(p => p.PartitionIndex).ToList();
        Assert.Equal(-1, partitions[0].CommittedOffset);
        Assert.Equal(40 + version, partitions[1].CommittedOffset);
        Assert.Equal("v" + version, partitions[1].Metadata);
    }

    [Fact]
    public async Task OffsetCommit_WrongGeneration_ReturnsIllegalGeneration()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var (memberId, generation) = await FormStableAsync(client, "g");

        var commit = await client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = "g",
                GenerationIdOrMemberEpoch = generation + 3,
                MemberId = memberId,
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 1 }] }],
            },
            8);

        Assert.Equal((short)ErrorCode.IllegalGeneration, commit.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task OffsetCommit_GroupThatDoesNotExistWithGeneration_ReturnsIllegalGeneration()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");

        var commit = await client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = "g",
                GenerationIdOrMemberEpoch = 4,
                MemberId = "m",
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 1 }] }],
            },
            8);

        Assert.Equal((short)ErrorCode.IllegalGeneration, commit.Topics[0].Partitions[0].ErrorCode);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public async Task OffsetFetch_SeveralGroups_AnswersEachGroup(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[0]);
        foreach (var (group, offset) in new[] { ("a", 5L), ("b", 6L) })
        {
            await client.SendAsync<OffsetCommitResponse>(
                new OffsetCommitRequest
                {
                    GroupId = group,
                    Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }] }],
                },
                8);
        }

        var fetch = await client.SendAsync<OffsetFetchResponse>(
            new OffsetFetchRequest
            {
                Groups =
                [
                    new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "a", Topics = null },
                    new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "b", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = "t", PartitionIndexes = [0] }] },
                    new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "c", Topics = null },
                ],
            },
            version);

        Assert.Equal(["a", "b", "c"], fetch.Groups.Select(g => g.GroupId));
        Assert.Equal(5, fetch.Groups[0].Topics.Single().Partitions.Single().CommittedOffset);
        Assert.Equal(6, fetch.Groups[1].Topics.Single().Partitions.Single().CommittedOffset);
        Assert.Empty(fetch.Groups[2].Topics);
    }

    [Fact]
    public async Task OffsetFetch_NotCoordinatorV1_ErrorOnEveryPartition()
    {
        await using var broker = await StartAsync(nodes: 2);
        var coordinator = broker.Broker.Groups.FindCoordinator("g").Node!;
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Nodes[1 - coordinator.Id]);

        var fetch = await client.SendAsync<OffsetFetchResponse>(
            new OffsetFetchRequest { GroupId = "g", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [0, 1] }] },
            1);

        Assert.All(fetch.Topics.Single().Partitions, p => Assert.Equal((short)ErrorCode.NotCoordinator, p.ErrorCode));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task ListGroups_EveryVersion_ListsTheGroupsOfThisNode(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        await FormStableAsync(client, "g");

        var response = await client.SendAsync<ListGroupsResponse>(
            new ListGroupsRequest { StatesFilter = version >= 4 ? ["stable"] : [], TypesFilter = version >= 5 ? ["classic"] : [] },
            version);

        var group = Assert.Single(response.Groups);
        Assert.Equal("g", group.GroupId);
        Assert.Equal("consumer", group.ProtocolType);
        if (version >= 4)
        {
            Assert.Equal("Stable", group.GroupState);
        }
    }

    [Fact]
    public async Task ListGroups_StatesFilterExcludes_ReturnsNone()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        await FormStableAsync(client, "g");

        var response = await client.SendAsync<ListGroupsResponse>(new ListGroupsRequest { StatesFilter = ["Empty"] }, 4);

        Assert.Empty(response.Groups);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task DescribeGroups_EveryVersion_DescribesStableGroupAndDeadUnknownGroup(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        var (memberId, _) = await FormStableAsync(client, "g");
        var other = broker.Broker.Groups.FindCoordinator("unknown-group").Node!.Id == broker.Broker.Groups.FindCoordinator("g").Node!.Id;

        var response = await client.SendAsync<DescribeGroupsResponse>(
            new DescribeGroupsRequest { Groups = other ? ["g", "unknown-group"] : ["g"], IncludeAuthorizedOperations = version >= 3 },
            version);

        var group = response.Groups[0];
        Assert.Equal((short)ErrorCode.None, group.ErrorCode);
        Assert.Equal("Stable", group.GroupState);
        Assert.Equal("range", group.ProtocolData);
        var member = Assert.Single(group.Members);
        Assert.Equal(memberId, member.MemberId);
        Assert.Equal("/127.0.0.1", member.ClientHost);
        Assert.Equal(new byte[] { 1, 2, 3 }, member.MemberAssignment);
        if (other)
        {
            Assert.Equal("Dead", response.Groups[1].GroupState);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task DeleteGroups_EveryVersion_DeletesEmptyRefusesActiveReportsMissing(short version)
    {
        await using var broker = await StartAsync();
        await using var client = await GroupWireClient.ConnectAsync(broker.Broker.Groups.FindCoordinator("active").Node!);
        await FormStableAsync(client, "active");
        await using var emptyClient = await GroupWireClient.ConnectAsync(broker.Broker.Groups.FindCoordinator("empty").Node!);
        await emptyClient.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = "empty",
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 3 }] }],
            },
            8);

        var active = await client.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["active"] }, version);
        var empty = await emptyClient.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["empty"] }, version);
        var again = await emptyClient.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["empty"] }, version);

        Assert.Equal((short)ErrorCode.NonEmptyGroup, active.Results.Single().ErrorCode);
        Assert.Equal((short)ErrorCode.None, empty.Results.Single().ErrorCode);
        Assert.Equal((short)ErrorCode.GroupIdNotFound, again.Results.Single().ErrorCode);
        var fetch = await emptyClient.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "empty", Topics = null }, 7);
        Assert.Empty(fetch.Topics);
    }

    [Fact]
    public async Task OffsetDelete_EmptyGroup_DeletesOffsetAndReportsUnknownTopic()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");
        await client.SendAsync<OffsetCommitResponse>(
            new OffsetCommitRequest
            {
                GroupId = "g",
                Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 3 }] }],
            },
            8);

        var response = await client.SendAsync<OffsetDeleteResponse>(
            new OffsetDeleteRequest
            {
                GroupId = "g",
                Topics =
                [
                    new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "t", Partitions = [new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = 0 }] },
                    new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "gone", Partitions = [new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = 0 }] },
                ],
            },
            0);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal((short)ErrorCode.None, response.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[1].Partitions[0].ErrorCode);
        var fetch = await client.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "g", Topics = null }, 7);
        Assert.Empty(fetch.Topics);
    }

    [Fact]
    public async Task OffsetDelete_GroupThatDoesNotExist_ReturnsGroupIdNotFound()
    {
        await using var broker = await StartAsync();
        await using var client = await CoordinatorAsync(broker, "g");

        var response = await client.SendAsync<OffsetDeleteResponse>(new OffsetDeleteRequest { GroupId = "g" }, 0);

        Assert.Equal((short)ErrorCode.GroupIdNotFound, response.ErrorCode);
    }

    [Fact]
    public async Task OffsetFetch_CoordinatorStopped_NewCoordinatorReplaysCommitsAndTombstones()
    {
        await using var broker = await StartAsync(nodes: 3);
        var old = broker.Broker.Groups.FindCoordinator("g").Node!;
        await using (var client = await GroupWireClient.ConnectAsync(old))
        {
            await client.SendAsync<OffsetCommitResponse>(
                new OffsetCommitRequest
                {
                    GroupId = "g",
                    Topics =
                    [
                        new OffsetCommitRequest.OffsetCommitRequestTopic
                        {
                            Name = "t",
                            Partitions =
                            [
                                new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 11, CommittedMetadata = "first" },
                                new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 12 },
                            ],
                        },
                    ],
                },
                8);
            await client.SendAsync<OffsetCommitResponse>(
                new OffsetCommitRequest
                {
                    GroupId = "g",
                    Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 21, CommittedMetadata = "second" }] }],
                },
                8);
            var deleted = await client.SendAsync<OffsetDeleteResponse>(
                new OffsetDeleteRequest { GroupId = "g", Topics = [new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = "t", Partitions = [new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = 1 }] }] },
                0);
            Assert.Equal((short)ErrorCode.None, deleted.ErrorCode);
        }

        await broker.Broker.StopNodeAsync(old.Id);
        var (error, node) = broker.Broker.Groups.FindCoordinator("g");
        Assert.Equal(ErrorCode.None, error);
        Assert.NotEqual(old.Id, node!.Id);
        await using var newClient = await GroupWireClient.ConnectAsync(node);

        OffsetFetchResponse fetch;
        var attempts = 0;
        do
        {
            // COORDINATOR_LOAD_IN_PROGRESS while the new leader replays the partition.
            fetch = await newClient.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "g", Topics = null }, 7);
        }
        while (fetch.ErrorCode == (short)ErrorCode.CoordinatorLoadInProgress && ++attempts < 500);

        Assert.Equal((short)ErrorCode.None, fetch.ErrorCode);
        var partition = Assert.Single(Assert.Single(fetch.Topics).Partitions);
        Assert.Equal(0, partition.PartitionIndex);
        Assert.Equal(21, partition.CommittedOffset);
        Assert.Equal("second", partition.Metadata);
    }

    [Fact]
    public async Task JoinGroup_OldCoordinatorAfterNodeStopped_ReturnsNotCoordinatorAndNewOneServesMember()
    {
        await using var broker = await StartAsync(nodes: 2);
        var old = broker.Broker.Groups.FindCoordinator("g").Node!;
        string memberId;
        int generation;
        await using (var client = await GroupWireClient.ConnectAsync(old))
        {
            (memberId, generation) = await FormStableAsync(client, "g");
        }

        await broker.Broker.StopNodeAsync(old.Id);
        var node = broker.Broker.Groups.FindCoordinator("g").Node!;
        await using var newClient = await GroupWireClient.ConnectAsync(node);
        HeartbeatResponse heartbeat;
        var attempts = 0;
        do
        {
            heartbeat = await newClient.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "g", MemberId = memberId, GenerationId = generation }, 4);
        }
        while (heartbeat.ErrorCode == (short)ErrorCode.CoordinatorLoadInProgress && ++attempts < 500);

        // The member, its generation and its assignment came back from __consumer_offsets.
        Assert.Equal((short)ErrorCode.None, heartbeat.ErrorCode);
        var sync = await newClient.SendAsync<SyncGroupResponse>(new SyncGroupRequest { GroupId = "g", MemberId = memberId, GenerationId = generation }, 3);
        Assert.Equal(new byte[] { 1, 2, 3 }, sync.Assignment);
    }
}

using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>A JoinGroup as the group sees it, after the handler took the version differences out.</summary>
internal sealed record JoinGroupCommand(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    TimeSpan SessionTimeout,
    TimeSpan RebalanceTimeout,
    string ProtocolType,
    IReadOnlyList<GroupProtocol> Protocols,
    bool RequireKnownMemberId,
    bool SupportsSkipAssignment,
    string? Reason);

/// <summary>The answer to a JoinGroup: the generation and, for the leader, every member's metadata.</summary>
internal sealed record JoinGroupResult(
    ErrorCode Error,
    string MemberId,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string LeaderId,
    bool SkipAssignment,
    IReadOnlyList<JoinedMember> Members)
{
    public static JoinGroupResult Failed(ErrorCode error, string memberId) => new(error, memberId, -1, null, null, "", false, []);
}

/// <summary>A member as the leader sees it in its JoinGroup response.</summary>
internal sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>A SyncGroup's request part: the leader sends every member's assignment, followers none.</summary>
internal sealed record SyncGroupCommand(
    int GenerationId,
    string MemberId,
    string? GroupInstanceId,
    string? ProtocolType,
    string? ProtocolName,
    IReadOnlyDictionary<string, byte[]> Assignments);

internal sealed record SyncGroupResult(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment)
{
    public static SyncGroupResult Failed(ErrorCode error) => new(error, null, null, []);
}

/// <summary>One member named in a LeaveGroup (by member id, or by instance id alone from an admin).</summary>
internal sealed record LeavingMember(string MemberId, string? GroupInstanceId, string? Reason);

internal sealed record LeaveGroupResult(ErrorCode Error, IReadOnlyList<ErrorCode> MemberErrors);

/// <summary>One partition's offset in an OffsetCommit.</summary>
internal sealed record OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp);

internal sealed record OffsetCommitCommand(int GenerationId, string MemberId, string? GroupInstanceId, IReadOnlyList<OffsetCommitEntry> Offsets);

/// <summary>A committed offset, as stored in <c>__consumer_offsets</c>.</summary>
internal sealed record CommittedOffset(long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp, long ExpireTimestamp);

/// <summary>
/// One partition's committed offset (null when none is) in an OffsetFetch answer. <paramref name="PendingInTransaction"/>:
/// an open transaction holds a newer offset for it (TxnOffsetCommit), which <c>require_stable</c> readers must wait for.
/// </summary>
internal sealed record FetchedOffset(string Topic, int Partition, CommittedOffset? Committed, bool PendingInTransaction = false);

/// <summary>
/// ListGroups' view of a group. A consumer-protocol group has type "consumer" and its own state
/// names (<paramref name="StateName"/>: Empty, Assigning, Reconciling, Stable).
/// </summary>
internal sealed record GroupOverview(string GroupId, string ProtocolType, GroupState State, string GroupType = GroupStates.ClassicGroupType, string? StateName = null)
{
    /// <summary>The state as ListGroups reports it.</summary>
    public string DisplayState => StateName ?? GroupStates.Name(State);
}

/// <summary>DescribeGroups' view of a group.</summary>
internal sealed record GroupDescription(ErrorCode Error, string State, string ProtocolType, string ProtocolData, IReadOnlyList<MemberDescription> Members)
{
    public static GroupDescription Failed(ErrorCode error) => new(error, "", "", "", []);

    /// <summary>Kafka's answer for a group it does not know: Dead, no error (DescribeGroups before v6).</summary>
    public static readonly GroupDescription DeadGroup = new(ErrorCode.None, GroupStates.Name(GroupState.Dead), "", "", []);
}

internal sealed record MemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>OffsetDelete's answer: a group-level error, or one per partition.</summary>
internal sealed record OffsetDeleteResult(ErrorCode Error, IReadOnlyList<ErrorCode> PartitionErrors);

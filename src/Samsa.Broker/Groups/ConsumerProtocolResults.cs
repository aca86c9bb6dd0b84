using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>A ConsumerGroupHeartbeat as the group sees it (null fields: unchanged since the last heartbeat).</summary>
internal sealed record ConsumerHeartbeatCommand(
    string MemberId,
    int MemberEpoch,
    string? InstanceId,
    string? RackId,
    int RebalanceTimeoutMs,
    IReadOnlyList<string>? SubscribedTopicNames,
    string? SubscribedTopicRegex,
    string? ServerAssignor,
    PartitionAssignment? OwnedPartitions,
    string ClientId,
    string ClientHost);

/// <summary>The answer to a ConsumerGroupHeartbeat; <paramref name="Assignment"/> is null when it did not change.</summary>
internal sealed record ConsumerHeartbeatResult(
    ErrorCode Error,
    string? ErrorMessage,
    string? MemberId,
    int MemberEpoch,
    int HeartbeatIntervalMs,
    PartitionAssignment? Assignment)
{
    public static ConsumerHeartbeatResult Failed(ErrorCode error, string? message = null) => new(error, message, null, 0, 0, null);
}

/// <summary>ConsumerGroupDescribe's view of a group: its epochs, assignor and members with their current and target assignments.</summary>
internal sealed record ConsumerGroupDescription(
    ErrorCode Error,
    string? ErrorMessage,
    string State,
    int GroupEpoch,
    int AssignmentEpoch,
    string AssignorName,
    IReadOnlyList<(ConsumerProtocolMember Member, PartitionAssignment Target)> Members)
{
    public static ConsumerGroupDescription Failed(ErrorCode error, string? message) => new(error, message, "Dead", -1, -1, "", []);
}

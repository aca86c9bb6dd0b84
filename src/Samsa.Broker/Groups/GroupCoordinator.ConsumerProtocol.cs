using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>The consumer-protocol (KIP-848) entry points: ConsumerGroupHeartbeat, ConsumerGroupDescribe and OffsetFetch v9's member check.</summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>
    /// Serves one ConsumerGroupHeartbeat: the request is checked as Kafka checks it (INVALID_REQUEST,
    /// UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION), then the group's loop handles it. Only a
    /// joining member (epoch 0) creates a group.
    /// </summary>
    public Task<ConsumerHeartbeatResult> ConsumerGroupHeartbeatAsync(int nodeId, string groupId, ConsumerHeartbeatCommand command)
    {
        if (ValidateHeartbeat(groupId, command) is { } invalid)
        {
            return Task.FromResult(invalid);
        }

        return WithGroupAsync(
            nodeId,
            groupId,
            create: command.MemberEpoch == 0,
            group => group.ConsumerHeartbeatAsync(command),
            error => ConsumerHeartbeatResult.Failed(error),
            () => command.MemberEpoch < 0
                ? ConsumerHeartbeatResult.Failed(ErrorCode.GroupIdNotFound, $"Consumer group {groupId} not found.")
                : ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Consumer group {groupId} not found."));
    }

    /// <summary>One group for ConsumerGroupDescribe: GROUP_ID_NOT_FOUND when it does not exist or is a classic group.</summary>
    public Task<ConsumerGroupDescription> DescribeConsumerGroupAsync(int nodeId, string groupId) =>
        IsValidGroupId(groupId)
            ? WithGroupAsync(
                nodeId,
                groupId,
                create: false,
                group => group.DescribeConsumerGroupAsync(),
                error => ConsumerGroupDescription.Failed(error, null),
                () => ConsumerGroupDescription.Failed(ErrorCode.GroupIdNotFound, $"Group {groupId} not found."))
            : Task.FromResult(ConsumerGroupDescription.Failed(ErrorCode.InvalidGroupId, "The group id can't be empty."));

    /// <summary>
    /// OffsetFetch with the member fields of v9: for a consumer-protocol group, a request naming a
    /// member must come from a current member at its current epoch (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH).
    /// </summary>
    public Task<(ErrorCode Error, IReadOnlyList<FetchedOffset> Offsets)> FetchOffsetsAsync(
        int nodeId,
        string groupId,
        IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics,
        string? memberId,
        int memberEpoch) =>
        memberId is null && memberEpoch < 0
            ? FetchOffsetsAsync(nodeId, groupId, topics)
            : WithGroupAsync<(ErrorCode, IReadOnlyList<FetchedOffset>)>(
                nodeId,
                groupId,
                create: false,
                group => group.FetchOffsetsAsync(topics, memberId, memberEpoch),
                error => (error, []),
                () => (ErrorCode.None, topics is null ? [] : topics.SelectMany(t => t.Partitions.Select(p => new FetchedOffset(t.Topic, p, null))).ToList()));

    private ConsumerHeartbeatResult? ValidateHeartbeat(string groupId, ConsumerHeartbeatCommand command)
    {
        static ConsumerHeartbeatResult Invalid(string message) => ConsumerHeartbeatResult.Failed(ErrorCode.InvalidRequest, message);

        if (string.IsNullOrEmpty(groupId))
        {
            return Invalid("GroupId can't be empty.");
        }

        if (command.InstanceId is { Length: 0 })
        {
            return Invalid("InstanceId can't be empty.");
        }

        if (command.RackId is { Length: 0 })
        {
            return Invalid("RackId can't be empty.");
        }

        switch (command.MemberEpoch)
        {
            case > 0 or ConsumerProtocolMember.LeaveEpoch when command.MemberId.Length == 0:
                return Invalid("MemberId can't be empty.");
            case 0 when command.RebalanceTimeoutMs == -1:
                return Invalid("RebalanceTimeoutMs must be provided in first request.");
            case 0 when command.OwnedPartitions is null || !command.OwnedPartitions.IsEmpty:
                return Invalid("TopicPartitions must be empty when (re-)joining.");
            case 0 when (command.SubscribedTopicNames is null || command.SubscribedTopicNames.Count == 0) && string.IsNullOrEmpty(command.SubscribedTopicRegex):
                return Invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            case ConsumerProtocolMember.StaticLeaveEpoch when command.MemberId.Length == 0:
                return Invalid("MemberId can't be empty.");
            case ConsumerProtocolMember.StaticLeaveEpoch when command.InstanceId is null:
                return Invalid("InstanceId can't be null.");
            case < ConsumerProtocolMember.StaticLeaveEpoch:
                return Invalid("MemberEpoch is invalid.");
        }

        var assignors = _settings.ConsumerProtocol.Assignors;
        if (command.ServerAssignor is { } assignor && !assignors.Contains(assignor, StringComparer.Ordinal))
        {
            return ConsumerHeartbeatResult.Failed(
                ErrorCode.UnsupportedAssignor,
                $"ServerAssignor {assignor} is not supported. Supported assignors: {string.Join(", ", assignors)}.");
        }

        if (command.SubscribedTopicRegex is { Length: > 0 } regex && ConsumerProtocolState.TryCompile(regex) is null)
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.InvalidRegularExpression, $"SubscribedTopicRegex {regex} is not a valid regular expression.");
        }

        return null;
    }
}

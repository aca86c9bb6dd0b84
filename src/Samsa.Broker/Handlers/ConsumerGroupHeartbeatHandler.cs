using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// ConsumerGroupHeartbeat (key 68), versions 0-1: the consumer group protocol of KIP-848.
/// A member joins with epoch 0, heartbeats with its epoch, and leaves with -1 (-2: a static member
/// that will come back). The coordinator computes the target assignment (the uniform and range
/// assignors, <c>group.consumer.assignors</c>) and answers each member with the partitions it may
/// own now: a partition moves to a new owner only after its previous owner stopped listing it.
/// Errors: INVALID_REQUEST (with a message), UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION,
/// UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, FENCED_INSTANCE_ID, UNRELEASED_INSTANCE_ID,
/// GROUP_MAX_SIZE_REACHED, GROUP_ID_NOT_FOUND (a classic group with members), and the coordinator errors.
/// Behavior: regular expressions run on .NET's non-backtracking engine, which accepts RE2/J's
/// syntax for the usual patterns; classic members cannot join a consumer-protocol group with members
/// (INCONSISTENT_GROUP_PROTOCOL), where Kafka 4 can mix them.
/// Needs READ on the group, else GROUP_AUTHORIZATION_FAILED (as KafkaApis checks it).
/// Version notes: v1 subscribed topic regex.
/// </summary>
internal sealed class ConsumerGroupHeartbeatHandler(GroupCoordinator groups) : RequestHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>
{
    public override ApiKey ApiKey => ApiKey.ConsumerGroupHeartbeat;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override async ValueTask<ConsumerGroupHeartbeatResponse?> HandleAsync(RequestContext context, ConsumerGroupHeartbeatRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new ConsumerGroupHeartbeatResponse
            {
                ErrorCode = (short)ErrorCode.GroupAuthorizationFailed,
                ErrorMessage = null,
                MemberId = null,
                MemberEpoch = 0,
                HeartbeatIntervalMs = 0,
                Assignment = null,
            };
        }

        var command = new ConsumerHeartbeatCommand(
            request.MemberId,
            request.MemberEpoch,
            request.InstanceId,
            request.RackId,
            request.RebalanceTimeoutMs,
            request.SubscribedTopicNames,
            context.ApiVersion >= 1 ? request.SubscribedTopicRegex : null,
            request.ServerAssignor,
            request.TopicPartitions is { } owned ? PartitionAssignment.From(owned.Select(t => (t.TopicId, (IEnumerable<int>)t.Partitions))) : null,
            context.ClientId ?? "",
            JoinGroupHandler.ClientHost(context.RemoteEndPoint));
        var result = await groups.ConsumerGroupHeartbeatAsync(context.Node.Id, request.GroupId, command).ConfigureAwait(false);
        return new ConsumerGroupHeartbeatResponse
        {
            ErrorCode = (short)result.Error,
            ErrorMessage = result.ErrorMessage,
            MemberId = result.MemberId,
            MemberEpoch = result.MemberEpoch,
            HeartbeatIntervalMs = result.HeartbeatIntervalMs,
            Assignment = result.Assignment is { } assignment
                ? new ConsumerGroupHeartbeatResponse.AssignmentData
                {
                    TopicPartitions = assignment.ByTopic
                        .Select(kv => new ConsumerGroupHeartbeatResponse.TopicPartitions { TopicId = kv.Key, Partitions = [.. kv.Value] })
                        .ToList(),
                }
                : null,
        };
    }
}

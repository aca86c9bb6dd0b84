using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// SyncGroup (key 14), versions 0-5.
/// The leader sends every member's assignment; each member waits (followers until the leader's
/// assignment is stored in <c>__consumer_offsets</c>) and gets its own. Errors: UNKNOWN_MEMBER_ID,
/// ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL,
/// NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS.
/// Behavior: as Kafka; a member left out of the leader's assignment gets an empty one.
/// Version notes: v1 throttle time; v3 group instance id; v4 flexible; v5 protocol type and name
/// in request (checked against the group's) and response.
/// </summary>
internal sealed class SyncGroupHandler(GroupCoordinator groups) : RequestHandler<SyncGroupRequest, SyncGroupResponse>
{
    public override ApiKey ApiKey => ApiKey.SyncGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new SyncGroupResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed };
        }

        var version = context.ApiVersion;
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var assignment in request.Assignments)
        {
            assignments[assignment.MemberId] = assignment.Assignment;
        }

        var command = new SyncGroupCommand(
            request.GenerationId,
            request.MemberId,
            version >= 3 ? request.GroupInstanceId : null,
            version >= 5 ? request.ProtocolType : null,
            version >= 5 ? request.ProtocolName : null,
            assignments);
        var result = await groups.SyncGroupAsync(context.Node.Id, request.GroupId, command).WaitAsync(context.Aborted).ConfigureAwait(false);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = version >= 5 ? result.ProtocolType : null,
            ProtocolName = version >= 5 ? result.ProtocolName : null,
            Assignment = result.Assignment,
        };
    }
}

using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Heartbeat (key 12), versions 0-4.
/// Keeps a member's session alive. REBALANCE_IN_PROGRESS tells it to rejoin; UNKNOWN_MEMBER_ID
/// (also for a group that does not exist), ILLEGAL_GENERATION and FENCED_INSTANCE_ID that it was
/// removed, is behind, or was replaced. Behavior: as Kafka.
/// Version notes: v1 throttle time; v3 group instance id; v4 flexible.
/// </summary>
internal sealed class HeartbeatHandler(GroupCoordinator groups) : RequestHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override ApiKey ApiKey => ApiKey.Heartbeat;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new HeartbeatResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed };
        }

        var instanceId = context.ApiVersion >= 3 ? request.GroupInstanceId : null;
        var error = await groups.HeartbeatAsync(context.Node.Id, request.GroupId, request.MemberId, instanceId, request.GenerationId).ConfigureAwait(false);
        return new HeartbeatResponse { ErrorCode = (short)error };
    }
}

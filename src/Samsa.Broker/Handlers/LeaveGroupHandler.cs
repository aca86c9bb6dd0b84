using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// LeaveGroup (key 13), versions 0-5.
/// Removes members at once (their partitions are reassigned by the rebalance that follows).
/// From v3 a batch of members, each by member id, or by group instance id alone (an admin
/// removing a static member), with an error per member; before v3 one member, and its error is
/// the top-level one. Errors: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS. Behavior: as Kafka.
/// Version notes: v1 throttle time; v3 batched members; v4 flexible; v5 reason per member.
/// </summary>
internal sealed class LeaveGroupHandler(GroupCoordinator groups) : RequestHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override ApiKey ApiKey => ApiKey.LeaveGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new LeaveGroupResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed };
        }

        var version = context.ApiVersion;
        List<LeavingMember> leaving = version >= 3
            ? request.Members.Select(m => new LeavingMember(m.MemberId, m.GroupInstanceId, version >= 5 ? m.Reason : null)).ToList()
            : [new LeavingMember(request.MemberId, null, null)];
        var result = await groups.LeaveGroupAsync(context.Node.Id, request.GroupId, leaving).ConfigureAwait(false);
        var response = new LeaveGroupResponse();
        if (version < 3)
        {
            var memberError = result.MemberErrors.FirstOrDefault(e => e != ErrorCode.None);
            response.ErrorCode = (short)(result.Error != ErrorCode.None ? result.Error : memberError);
            return response;
        }

        response.ErrorCode = (short)result.Error;
        for (var i = 0; i < result.MemberErrors.Count; i++)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse
            {
                MemberId = leaving[i].MemberId,
                GroupInstanceId = leaving[i].GroupInstanceId,
                ErrorCode = (short)result.MemberErrors[i],
            });
        }

        return response;
    }
}

using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeGroups (key 15), versions 0-5.
/// Per group: state, protocol type, protocol (assignor) and members with client id and host; a
/// member's metadata and assignment only once the group is Stable, as Kafka shows them. A group
/// that does not exist is described as Dead with no error (GROUP_ID_NOT_FOUND only comes with v6).
/// Behavior: no ACLs, so the authorized operations asked for from v3 are all group operations
/// (READ, DELETE, DESCRIBE).
/// Version notes: v1 throttle time; v3 authorized operations; v4 group instance ids; v5 flexible.
/// </summary>
internal sealed class DescribeGroupsHandler(GroupCoordinator groups) : RequestHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    /// <summary>Kafka's marker for "authorized operations not computed".</summary>
    private const int AuthorizedOperationsOmitted = int.MinValue;

    public override ApiKey ApiKey => ApiKey.DescribeGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request)
    {
        var version = context.ApiVersion;
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, groupId))
            {
                response.Groups.Add(new DescribeGroupsResponse.DescribedGroup { GroupId = groupId, ErrorCode = (short)ErrorCode.GroupAuthorizationFailed, AuthorizedOperations = AuthorizedOperationsOmitted });
                continue;
            }

            var description = await groups.DescribeGroupAsync(context.Node.Id, groupId).ConfigureAwait(false);
            response.Groups.Add(new DescribeGroupsResponse.DescribedGroup
            {
                ErrorCode = (short)description.Error,
                GroupId = groupId,
                GroupState = description.State,
                ProtocolType = description.ProtocolType,
                ProtocolData = description.ProtocolData,
                AuthorizedOperations = version >= 3 && request.IncludeAuthorizedOperations ? context.AuthorizedOperations(AclResourceType.Group, groupId) : AuthorizedOperationsOmitted,
                Members = description.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = version >= 4 ? m.GroupInstanceId : null,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                }).ToList(),
            });
        }

        return response;
    }
}

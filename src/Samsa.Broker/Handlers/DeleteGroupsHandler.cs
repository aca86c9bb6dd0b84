using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DeleteGroups (key 42), versions 0-2.
/// Deletes empty groups and their committed offsets (tombstones in <c>__consumer_offsets</c>).
/// Errors per group: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (it has members), INVALID_GROUP_ID,
/// NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS. Behavior: as Kafka.
/// Version notes: v1 same as v0; v2 flexible.
/// </summary>
internal sealed class DeleteGroupsHandler(GroupCoordinator groups) : RequestHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override ApiKey ApiKey => ApiKey.DeleteGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override async ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request)
    {
        var response = new DeleteGroupsResponse();
        foreach (var groupId in request.GroupsNames)
        {
            var error = context.Authorize(AclOperation.Delete, AclResourceType.Group, groupId)
                ? await groups.DeleteGroupAsync(context.Node.Id, groupId).ConfigureAwait(false)
                : ErrorCode.GroupAuthorizationFailed;
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }

        return response;
    }
}

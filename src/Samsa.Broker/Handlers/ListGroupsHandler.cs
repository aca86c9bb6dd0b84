using Samsa.Broker.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// ListGroups (key 16), versions 0-5.
/// Lists the groups this node coordinates (clients ask every node and merge), with their
/// protocol type ("consumer", or "" for groups that only hold offsets). COORDINATOR_LOAD_IN_PROGRESS
/// while one of its <c>__consumer_offsets</c> partitions is being replayed.
/// Behavior: every group is a classic group (type "classic").
/// Version notes: v1 throttle time; v3 flexible; v4 states filter and group state in the answer
/// (KIP-518); v5 types filter and group type (KIP-848). Filters match case-insensitively.
/// </summary>
internal sealed class ListGroupsHandler(GroupCoordinator groups) : RequestHandler<ListGroupsRequest, ListGroupsResponse>
{
    public override ApiKey ApiKey => ApiKey.ListGroups;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request)
    {
        var version = context.ApiVersion;
        var (error, listed) = groups.ListGroups(context.Node.Id);
        var states = version >= 4 && request.StatesFilter.Count > 0 ? new HashSet<string>(request.StatesFilter, StringComparer.OrdinalIgnoreCase) : null;
        var types = version >= 5 && request.TypesFilter.Count > 0 ? new HashSet<string>(request.TypesFilter, StringComparer.OrdinalIgnoreCase) : null;
        var response = new ListGroupsResponse { ErrorCode = (short)error };
        foreach (var group in listed)
        {
            var state = GroupStates.Name(group.State);
            if ((states is not null && !states.Contains(state)) || (types is not null && !types.Contains(GroupStates.ClassicGroupType)))
            {
                continue;
            }

            response.Groups.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = group.GroupId,
                ProtocolType = group.ProtocolType,
                GroupState = version >= 4 ? state : "",
                GroupType = version >= 5 ? GroupStates.ClassicGroupType : "",
            });
        }

        return ValueTask.FromResult<ListGroupsResponse?>(response);
    }
}

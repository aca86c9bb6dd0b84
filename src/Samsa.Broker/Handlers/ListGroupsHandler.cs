using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// ListGroups (key 16), versions 0-5.
/// Lists the groups this node coordinates (clients ask every node and merge), with their
/// protocol type ("consumer", or "" for groups that only hold offsets). COORDINATOR_LOAD_IN_PROGRESS
/// while one of its <c>__consumer_offsets</c> partitions is being replayed.
/// Behavior: as Kafka: classic groups have type "classic", consumer-protocol (KIP-848) groups type
/// "consumer" with their own states (Empty, Assigning, Reconciling, Stable).
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

        // Kafka lists every group to a principal that may DESCRIBE the cluster, else the groups it may describe.
        var all = context.AuthorizeCluster(AclOperation.Describe);
        foreach (var group in listed)
        {
            if (!all && !context.Authorize(AclOperation.Describe, AclResourceType.Group, group.GroupId))
            {
                continue;
            }

            var state = group.DisplayState;
            if ((states is not null && !states.Contains(state)) || (types is not null && !types.Contains(group.GroupType)))
            {
                continue;
            }

            response.Groups.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = group.GroupId,
                ProtocolType = group.ProtocolType,
                GroupState = version >= 4 ? state : "",
                GroupType = version >= 5 ? group.GroupType : "",
            });
        }

        return ValueTask.FromResult<ListGroupsResponse?>(response);
    }
}

using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DeleteAcls (key 31), versions 0-3.
/// Removes every ACL each filter matches (Kafka's filter semantics, as DescribeAcls) and lists them
/// per filter. Needs ALTER on the cluster (else CLUSTER_AUTHORIZATION_FAILED per filter); without an
/// authorizer SECURITY_DISABLED. A filter with an Unknown field is INVALID_REQUEST.
/// Version notes: v1 pattern type filter (before it, literal); v2 flexible; v3 user resources.
/// </summary>
internal sealed class DeleteAclsHandler : RequestHandler<DeleteAclsRequest, DeleteAclsResponse>
{
    public override ApiKey ApiKey => ApiKey.DeleteAcls;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    protected override ValueTask<DeleteAclsResponse?> HandleAsync(RequestContext context, DeleteAclsRequest request)
    {
        var response = new DeleteAclsResponse();
        var refused = context.Cluster.Authorizer is null ? (ErrorCode.SecurityDisabled, "No Authorizer is configured on the broker.")
            : !context.AuthorizeCluster(AclOperation.Alter) ? (ErrorCode.ClusterAuthorizationFailed, "The principal may not alter ACLs (ALTER on the cluster).")
            : ((ErrorCode, string)?)null;
        var filters = request.Filters.Select(f => new AclBindingFilter(
            (AclResourceType)f.ResourceTypeFilter,
            f.ResourceNameFilter,
            context.ApiVersion >= 1 ? (AclPatternType)f.PatternTypeFilter : AclPatternType.Literal,
            f.PrincipalFilter,
            f.HostFilter,
            (AclOperation)f.Operation,
            (AclPermissionType)f.PermissionType)).ToList();
        var valid = filters.Where(f => f.Validate() is null).ToList();
        var deleted = refused is null ? context.Cluster.Authorizer!.Delete(valid) : [];
        var next = 0;
        foreach (var filter in filters)
        {
            var result = new DeleteAclsResponse.DeleteAclsFilterResult { ErrorMessage = null };
            response.FilterResults.Add(result);
            if (refused is { } failure)
            {
                (result.ErrorCode, result.ErrorMessage) = ((short)failure.Item1, failure.Item2);
                continue;
            }

            if (filter.Validate() is { } problem)
            {
                (result.ErrorCode, result.ErrorMessage) = ((short)ErrorCode.InvalidRequest, problem);
                continue;
            }

            result.MatchingAcls = deleted[next++].Select(a => new DeleteAclsResponse.DeleteAclsMatchingAcl
            {
                ErrorMessage = null,
                ResourceType = (sbyte)a.ResourceType,
                ResourceName = a.ResourceName,
                PatternType = (sbyte)a.PatternType,
                Principal = a.Principal,
                Host = a.Host,
                Operation = (sbyte)a.Operation,
                PermissionType = (sbyte)a.Permission,
            }).ToList();
        }

        return ValueTask.FromResult<DeleteAclsResponse?>(response);
    }
}

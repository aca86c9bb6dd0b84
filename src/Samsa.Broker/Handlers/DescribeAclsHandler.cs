using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeAcls (key 29), versions 0-3.
/// The ACLs one filter matches, grouped by resource pattern, with Kafka's filter semantics (Any
/// matches everything; pattern type Match takes every ACL that applies to the named resource).
/// Needs DESCRIBE on the cluster (else CLUSTER_AUTHORIZATION_FAILED); without an authorizer
/// SECURITY_DISABLED. A filter with an Unknown field is INVALID_REQUEST.
/// Version notes: v1 pattern type filter (before it, literal); v2 flexible; v3 user resources.
/// </summary>
internal sealed class DescribeAclsHandler : RequestHandler<DescribeAclsRequest, DescribeAclsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeAcls;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    protected override ValueTask<DescribeAclsResponse?> HandleAsync(RequestContext context, DescribeAclsRequest request)
    {
        var response = new DescribeAclsResponse { ErrorMessage = null };
        if (context.Cluster.Authorizer is not { } authorizer)
        {
            return Refuse(response, ErrorCode.SecurityDisabled, "No Authorizer is configured on the broker.");
        }

        if (!context.AuthorizeCluster(AclOperation.Describe))
        {
            return Refuse(response, ErrorCode.ClusterAuthorizationFailed, "The principal may not describe ACLs (DESCRIBE on the cluster).");
        }

        var filter = new AclBindingFilter(
            (AclResourceType)request.ResourceTypeFilter,
            request.ResourceNameFilter,
            context.ApiVersion >= 1 ? (AclPatternType)request.PatternTypeFilter : AclPatternType.Literal,
            request.PrincipalFilter,
            request.HostFilter,
            (AclOperation)request.Operation,
            (AclPermissionType)request.PermissionType);
        if (filter.Validate() is { } problem)
        {
            return Refuse(response, ErrorCode.InvalidRequest, problem);
        }

        foreach (var group in authorizer.Describe(filter).GroupBy(a => (a.ResourceType, a.ResourceName, a.PatternType)))
        {
            response.Resources.Add(new DescribeAclsResponse.DescribeAclsResource
            {
                ResourceType = (sbyte)group.Key.ResourceType,
                ResourceName = group.Key.ResourceName,
                PatternType = (sbyte)group.Key.PatternType,
                Acls = group.Select(a => new DescribeAclsResponse.AclDescription
                {
                    Principal = a.Principal,
                    Host = a.Host,
                    Operation = (sbyte)a.Operation,
                    PermissionType = (sbyte)a.Permission,
                }).ToList(),
            });
        }

        return ValueTask.FromResult<DescribeAclsResponse?>(response);
    }

    private static ValueTask<DescribeAclsResponse?> Refuse(DescribeAclsResponse response, ErrorCode error, string message)
    {
        response.ErrorCode = (short)error;
        response.ErrorMessage = message;
        return ValueTask.FromResult<DescribeAclsResponse?>(response);
    }
}

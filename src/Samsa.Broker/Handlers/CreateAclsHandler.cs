using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// CreateAcls (key 30), versions 0-3.
/// Adds literal or prefixed ACLs (allow or deny) to the cluster's authorizer, which stores them in
/// the data directory. Needs ALTER on the cluster (else CLUSTER_AUTHORIZATION_FAILED per creation);
/// without an authorizer every creation is SECURITY_DISABLED, as Kafka answers. An ACL Kafka would
/// refuse (Any/Unknown fields, empty name, a cluster name other than kafka-cluster, a principal
/// without a type) is INVALID_REQUEST with Kafka's message. An ACL that exists already is not added twice.
/// Version notes: v1 resource pattern type (before it, literal); v2 flexible; v3 user resources.
/// </summary>
internal sealed class CreateAclsHandler : RequestHandler<CreateAclsRequest, CreateAclsResponse>
{
    public override ApiKey ApiKey => ApiKey.CreateAcls;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    protected override ValueTask<CreateAclsResponse?> HandleAsync(RequestContext context, CreateAclsRequest request)
    {
        var response = new CreateAclsResponse();
        var failure = context.Cluster.Authorizer is null ? (ErrorCode.SecurityDisabled, "No Authorizer is configured on the broker.")
            : !context.AuthorizeCluster(AclOperation.Alter) ? (ErrorCode.ClusterAuthorizationFailed, "The principal may not alter ACLs (ALTER on the cluster).")
            : ((ErrorCode, string)?)null;
        if (failure is { } refused)
        {
            response.Results = request.Creations.Select(_ => new CreateAclsResponse.AclCreationResult { ErrorCode = (short)refused.Item1, ErrorMessage = refused.Item2 }).ToList();
            return ValueTask.FromResult<CreateAclsResponse?>(response);
        }

        var bindings = request.Creations.Select(c => new AclBinding(
            (AclResourceType)c.ResourceType,
            c.ResourceName,
            context.ApiVersion >= 1 ? (AclPatternType)c.ResourcePatternType : AclPatternType.Literal,
            c.Principal,
            c.Host,
            (AclOperation)c.Operation,
            (AclPermissionType)c.PermissionType)).ToList();
        foreach (var error in context.Cluster.Authorizer!.Create(bindings))
        {
            response.Results.Add(error is null
                ? new CreateAclsResponse.AclCreationResult { ErrorCode = 0, ErrorMessage = null }
                : new CreateAclsResponse.AclCreationResult { ErrorCode = (short)ErrorCode.InvalidRequest, ErrorMessage = error });
        }

        return ValueTask.FromResult<CreateAclsResponse?>(response);
    }
}

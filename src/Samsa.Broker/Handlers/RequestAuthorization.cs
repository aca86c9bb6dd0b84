using System.Net;
using Samsa.Broker.Security.Authorization;

namespace Samsa.Broker.Handlers;

/// <summary>
/// The authorization checks handlers make, as Kafka's AuthHelper does: without an authorizer every
/// request is allowed and every supported operation is reported.
/// </summary>
internal static class RequestAuthorization
{
    /// <summary>Whether the request's principal may do <paramref name="operation"/> on the named resource.</summary>
    public static bool Authorize(this RequestContext context, AclOperation operation, AclResourceType type, string name) =>
        context.Cluster.Authorizer is not { } authorizer || authorizer.Authorize(context.Principal, context.ClientHost(), operation, type, name);

    /// <summary>Whether the request's principal may do <paramref name="operation"/> on the cluster.</summary>
    public static bool AuthorizeCluster(this RequestContext context, AclOperation operation) =>
        context.Authorize(operation, AclResourceType.Cluster, ResourceOperations.ClusterName);

    /// <summary>Whether the principal may do <paramref name="operation"/> on some resource of <paramref name="type"/>.</summary>
    public static bool AuthorizeAny(this RequestContext context, AclOperation operation, AclResourceType type) =>
        context.Cluster.Authorizer is not { } authorizer || authorizer.AuthorizeAny(context.Principal, context.ClientHost(), operation, type);

    /// <summary>The bit field of what the principal may do to the named resource (every supported operation without an authorizer).</summary>
    public static int AuthorizedOperations(this RequestContext context, AclResourceType type, string name)
    {
        var supported = ResourceOperations.Supported(type);
        return ResourceOperations.ToBitField(context.Cluster.Authorizer is null ? supported : supported.Where(op => context.Authorize(op, type, name)));
    }

    /// <summary>The client's address as ACL hosts name it (IPv4 in dotted form, also when it came as IPv4-mapped IPv6).</summary>
    public static string ClientHost(this RequestContext context) => context.RemoteEndPoint switch
    {
        IPEndPoint { Address: var address } => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString(),
        _ => string.Empty,
    };
}

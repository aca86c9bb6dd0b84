using Samsa.Broker.Cluster;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;

namespace Samsa.Broker.Handlers;

/// <summary>The config APIs' checks, as Kafka makes them: topic configs on the topic, broker configs on the cluster.</summary>
internal static class ConfigAuthorization
{
    /// <summary>The error when the principal may not do <paramref name="operation"/> on the resource's configs, else null.</summary>
    public static ErrorCode? Denied(RequestContext context, sbyte resourceType, string resourceName, AclOperation operation) => (ConfigResourceType)resourceType switch
    {
        ConfigResourceType.Topic when !context.Authorize(operation, AclResourceType.Topic, resourceName) => ErrorCode.TopicAuthorizationFailed,
        ConfigResourceType.Broker when !context.AuthorizeCluster(operation) => ErrorCode.ClusterAuthorizationFailed,
        _ => null,
    };
}

using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeCluster (key 60), versions 0-1.
/// Cluster id, controller (the lowest live node) and every live broker. Authorized operations, when
/// asked for, are what the principal may do to the cluster (every cluster operation without an
/// authorizer), or 0 when it may not DESCRIBE the cluster, as Kafka answers. Endpoint type 2 (controllers, v1) is answered with
/// UNSUPPORTED_ENDPOINT_TYPE: Samsa.Broker has no separate controller listener.
/// Version notes: v0 flexible; v1 endpoint type.
/// </summary>
internal sealed class DescribeClusterHandler : RequestHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    private const sbyte BrokerEndpoints = 1;

    public override ApiKey ApiKey => ApiKey.DescribeCluster;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request)
    {
        var response = new DescribeClusterResponse
        {
            ClusterId = context.Cluster.ClusterId,
            ControllerId = context.Cluster.ControllerId,
            EndpointType = context.ApiVersion >= 1 ? request.EndpointType : BrokerEndpoints,
            ClusterAuthorizedOperations = ResourceOperations.Omitted,
        };
        if (context.ApiVersion >= 1 && request.EndpointType != BrokerEndpoints)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedEndpointType;
            response.ErrorMessage = "Samsa.Broker serves broker endpoints only.";
            return ValueTask.FromResult<DescribeClusterResponse?>(response);
        }

        if (request.IncludeClusterAuthorizedOperations)
        {
            response.ClusterAuthorizedOperations = context.AuthorizeCluster(AclOperation.Describe)
                ? context.AuthorizedOperations(AclResourceType.Cluster, ResourceOperations.ClusterName)
                : 0;
        }

        foreach (var node in context.Cluster.Nodes.Where(n => n.IsAlive))
        {
            response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = node.Id, Host = node.Host, Port = node.Port });
        }

        return ValueTask.FromResult<DescribeClusterResponse?>(response);
    }
}

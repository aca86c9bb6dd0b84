using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// WriteTxnMarkers (key 27), versions 0-1.
/// Appends a commit or abort control batch for the producer to each named partition this node
/// leads (for a <c>__consumer_offsets</c> partition the groups there apply or drop the producer's
/// transactional offsets). Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
/// LEADER_NOT_AVAILABLE, NOT_ENOUGH_REPLICAS.
/// Behavior: Samsa's transaction coordinator writes its markers in-process and never sends this
/// request; it is answered for completeness and for tools. Kafka allows it only to brokers
/// (CLUSTER_ACTION); there are no ACLs here. The coordinator epoch is written into the marker but
/// not checked against earlier markers, and the transaction coordinator's own state is not changed.
/// Version notes: v1 flexible.
/// </summary>
internal sealed class WriteTxnMarkersHandler(TransactionCoordinator transactions) : RequestHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>
{
    public override ApiKey ApiKey => ApiKey.WriteTxnMarkers;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override async ValueTask<WriteTxnMarkersResponse?> HandleAsync(RequestContext context, WriteTxnMarkersRequest request)
    {
        var response = new WriteTxnMarkersResponse();
        var clusterAction = context.AuthorizeCluster(AclOperation.ClusterAction);
        foreach (var marker in request.Markers)
        {
            var result = new WriteTxnMarkersResponse.WritableTxnMarkerResult { ProducerId = marker.ProducerId };
            response.Markers.Add(result);
            if (!clusterAction)
            {
                // Only brokers write markers: Kafka needs CLUSTER_ACTION on the cluster.
                result.Topics = marker.Topics.Select(t => new WriteTxnMarkersResponse.WritableTxnMarkerTopicResult
                {
                    Name = t.Name,
                    Partitions = t.PartitionIndexes.Select(p => new WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult { PartitionIndex = p, ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed }).ToList(),
                }).ToList();
                continue;
            }

            foreach (var topic in marker.Topics)
            {
                var topicResult = new WriteTxnMarkersResponse.WritableTxnMarkerTopicResult { Name = topic.Name };
                result.Topics.Add(topicResult);
                foreach (var partition in topic.PartitionIndexes)
                {
                    var error = await transactions.WriteMarkerAsync(
                        context.Node.Id,
                        topic.Name,
                        partition,
                        marker.ProducerId,
                        marker.ProducerEpoch,
                        marker.TransactionResult,
                        marker.CoordinatorEpoch).ConfigureAwait(false);
                    topicResult.Partitions.Add(new WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult { PartitionIndex = partition, ErrorCode = (short)error });
                }
            }
        }

        return response;
    }
}

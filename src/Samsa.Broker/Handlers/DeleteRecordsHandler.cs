using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DeleteRecords (key 21), versions 0-2.
/// Moves each partition's log start offset up to the requested offset (-1: the high watermark) on
/// every replica, and answers with the new low watermark. An offset above the high watermark is
/// OFFSET_OUT_OF_RANGE; a node that does not lead the partition answers NOT_LEADER_OR_FOLLOWER.
/// Version notes: v1 same as v0; v2 flexible.
/// </summary>
internal sealed class DeleteRecordsHandler : RequestHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    public override ApiKey ApiKey => ApiKey.DeleteRecords;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        foreach (var requestTopic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = requestTopic.Name };
            response.Topics.Add(topicResult);
            context.Cluster.TryGetTopic(requestTopic.Name, out var topic);
            var deletable = context.Authorize(AclOperation.Delete, AclResourceType.Topic, requestTopic.Name);
            foreach (var requested in requestTopic.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = requested.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(result);
                if (!deletable)
                {
                    result.ErrorCode = (short)ErrorCode.TopicAuthorizationFailed;
                    continue;
                }

                if (topic is null || !topic.TryGetPartition(requested.PartitionIndex, out var partition))
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                var (error, lowWatermark) = partition.DeleteRecordsBefore(context.Node.Id, requested.Offset);
                result.ErrorCode = (short)error;
                result.LowWatermark = lowWatermark;
            }
        }

        return ValueTask.FromResult<DeleteRecordsResponse?>(response);
    }
}

using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (key 23), versions 0-4.
/// For each partition, the end offset of the requested leader epoch on this leader: the start of the
/// next higher epoch, or the log end offset for the current one (clients use it to detect
/// truncation after a leader change, KIP-320).
/// Version notes: v1 leader epoch in the answer; v2 current leader epoch check; v3 replica id;
/// v4 flexible.
/// </summary>
internal sealed class OffsetForLeaderEpochHandler : RequestHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    public override ApiKey ApiKey => ApiKey.OffsetForLeaderEpoch;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request)
    {
        var response = new OffsetForLeaderEpochResponse();
        foreach (var requestTopic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = requestTopic.Topic };
            response.Topics.Add(topicResult);
            context.Cluster.TryGetTopic(requestTopic.Topic, out var topic);
            var describable = context.Authorize(AclOperation.Describe, AclResourceType.Topic, requestTopic.Topic);
            foreach (var requested in requestTopic.Partitions)
            {
                var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = requested.Partition };
                topicResult.Partitions.Add(result);
                if (!describable)
                {
                    result.ErrorCode = (short)ErrorCode.TopicAuthorizationFailed;
                    continue;
                }

                if (topic is null || !topic.TryGetPartition(requested.Partition, out var partition))
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                var leadership = partition.Leadership;
                if (context.ApiVersion >= 2 && requested.CurrentLeaderEpoch >= 0 && leadership.LeaderId == context.Node.Id && requested.CurrentLeaderEpoch != leadership.LeaderEpoch)
                {
                    result.ErrorCode = (short)(requested.CurrentLeaderEpoch > leadership.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch);
                    continue;
                }

                var (error, epoch, endOffset) = partition.EndOffsetForEpoch(context.Node.Id, requested.LeaderEpoch);
                result.ErrorCode = (short)error;
                result.LeaderEpoch = context.ApiVersion >= 1 ? epoch : -1;
                result.EndOffset = endOffset;
            }
        }

        return ValueTask.FromResult<OffsetForLeaderEpochResponse?>(response);
    }
}

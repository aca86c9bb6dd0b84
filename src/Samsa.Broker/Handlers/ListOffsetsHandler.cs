using Samsa.Broker.Replication;
using Samsa.Broker.Storage;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// ListOffsets (key 2), versions 0-10.
/// Timestamps: -1 latest (the high watermark; with read_committed the last stable offset: below
/// the oldest open transaction), -2 earliest (log start offset), -3 max timestamp (v7+), -4 earliest local (v8+, the log
/// start offset: nothing is tiered), -5 latest tiered (v9+, -1: nothing is tiered), and t >= 0 the
/// first offset whose timestamp is at least t (-1 when none is; with read_committed only offsets
/// below the last stable offset count).
/// Version notes: v0 answers with an offsets array (old style); v1 timestamp and offset; v2
/// isolation level; v4 current leader epoch check and leader epoch in the answer; v6 flexible;
/// v10 timeout.
/// </summary>
internal sealed class ListOffsetsHandler : RequestHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    public const long Latest = -1;
    public const long Earliest = -2;
    public const long MaxTimestamp = -3;
    public const long EarliestLocal = -4;
    public const long LatestTiered = -5;
    private const sbyte ReadCommitted = 1;

    public override ApiKey ApiKey => ApiKey.ListOffsets;

    public override short MinVersion => 0;

    public override short MaxVersion => 10;

    protected override ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request)
    {
        var version = context.ApiVersion;
        var response = new ListOffsetsResponse();
        foreach (var requestTopic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = requestTopic.Name };
            response.Topics.Add(topicResponse);
            context.Cluster.TryGetTopic(requestTopic.Name, out var topic);
            var describable = context.Authorize(AclOperation.Describe, AclResourceType.Topic, requestTopic.Name);
            foreach (var requested in requestTopic.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = requested.PartitionIndex };
                topicResponse.Partitions.Add(result);
                if (!describable)
                {
                    result.ErrorCode = (short)ErrorCode.TopicAuthorizationFailed;
                    continue;
                }

                if (topic is null || !topic.TryGetPartition(requested.PartitionIndex, out var partition))
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                var leadership = partition.Leadership;
                if (version >= 4 && requested.CurrentLeaderEpoch >= 0 && leadership.LeaderId == context.Node.Id && requested.CurrentLeaderEpoch != leadership.LeaderEpoch)
                {
                    result.ErrorCode = (short)(requested.CurrentLeaderEpoch > leadership.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch);
                    continue;
                }

                var readCommitted = version >= 2 && request.IsolationLevel == ReadCommitted;
                var (error, found) = partition.QueryLeaderLog(
                    context.Node.Id,
                    (log, highWatermark) => Lookup(log, readCommitted ? Math.Min(highWatermark, partition.LastStableOffset) : highWatermark, requested.Timestamp, version));
                result.ErrorCode = (short)error;
                if (error != ErrorCode.None)
                {
                    continue;
                }

                if (found.Error != ErrorCode.None)
                {
                    result.ErrorCode = (short)found.Error;
                    continue;
                }

                if (version == 0)
                {
                    result.OldStyleOffsets = found.Offset >= 0 ? [found.Offset] : [];
                }
                else
                {
                    result.Offset = found.Offset;
                    result.Timestamp = found.Timestamp;
                    result.LeaderEpoch = version >= 4 && found.Offset >= 0 ? leadership.LeaderEpoch : -1;
                }
            }
        }

        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }

    private static (ErrorCode Error, long Offset, long Timestamp) Lookup(PartitionLog log, long highWatermark, long timestamp, short version) => timestamp switch
    {
        Latest => (ErrorCode.None, highWatermark, -1),
        Earliest => (ErrorCode.None, log.LogStartOffset, -1),
        MaxTimestamp when version >= 7 => log.MaxTimestamp is var (offset, ts) && offset >= 0 ? (ErrorCode.None, offset, ts) : (ErrorCode.None, -1, -1),
        EarliestLocal when version >= 8 => (ErrorCode.None, log.LogStartOffset, -1),
        LatestTiered when version >= 9 => (ErrorCode.None, -1, -1),
        < 0 => (ErrorCode.UnsupportedVersion, -1, -1),
        _ => log.FindOffsetForTimestamp(timestamp) is { } found && found.Offset < highWatermark ? (ErrorCode.None, found.Offset, found.Timestamp) : (ErrorCode.None, -1, -1),
    };
}

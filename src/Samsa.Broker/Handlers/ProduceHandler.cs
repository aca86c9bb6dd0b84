using System.Buffers;
using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Produce (key 0), versions 0-11 advertised.
/// Each partition's batches are validated (magic 2, lengths, CRC-32C, max.message.bytes, one batch
/// from v3 on), stamped with the leader epoch (and log-append time for LogAppendTime topics) and
/// appended on the leader and every in-sync follower before the answer, so acks=1 and acks=all both
/// answer once the records are on every in-sync replica. acks=all with fewer in-sync replicas than
/// min.insync.replicas is NOT_ENOUGH_REPLICAS; acks=0 sends no response.
/// Behaviour: magic 0/1 message sets (what v0-v2 clients may send) are refused with
/// UNSUPPORTED_FOR_MESSAGE_FORMAT; no up-conversion. Transactional produce is refused until
/// transactions exist (TRANSACTIONAL_ID_NOT_FOUND). Idempotent batches are checked against the
/// partition's producer state: duplicates answer with the original offset, gaps are
/// OUT_OF_ORDER_SEQUENCE_NUMBER, stale epochs INVALID_PRODUCER_EPOCH.
/// Version notes: v2 log append time; v3 transactional id, magic 2 only in Kafka; v5 log start
/// offset; v8 per-record errors and message; v9 flexible; v10 current leader and node endpoints
/// on NOT_LEADER_OR_FOLLOWER.
/// </summary>
internal sealed class ProduceHandler : RequestHandler<ProduceRequest, ProduceResponse>
{
    public override ApiKey ApiKey => ApiKey.Produce;

    public override short MinVersion => 0;

    public override short MaxVersion => 11;

    protected override ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request)
    {
        var response = new ProduceResponse();
        var version = context.ApiVersion;
        var notLeaderSeen = false;
        var validAcks = request.Acks is -1 or 0 or 1;
        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            response.Responses.Add(topicResponse);
            context.Cluster.TryGetTopic(topicData.Name, out var topic);
            foreach (var partitionData in topicData.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse { Index = partitionData.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(result);
                if (!validAcks)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequiredAcks;
                    continue;
                }

                if (request.TransactionalId is not null)
                {
                    result.ErrorCode = (short)ErrorCode.TransactionalIdNotFound;
                    continue;
                }

                if (topic is null || !topic.TryGetPartition(partitionData.Index, out var partition))
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                Append(context, request.Acks, topic, partition, partitionData.Records, result);
                if (result.ErrorCode == (short)ErrorCode.NotLeaderOrFollower)
                {
                    notLeaderSeen = true;
                    if (version >= 10)
                    {
                        var leadership = partition.Leadership;
                        result.CurrentLeader = new ProduceResponse.LeaderIdAndEpoch { LeaderId = leadership.LeaderId, LeaderEpoch = leadership.LeaderEpoch };
                    }
                }
            }
        }

        if (notLeaderSeen && version >= 10)
        {
            foreach (var node in context.Cluster.Nodes.Where(n => n.IsAlive))
            {
                response.NodeEndpoints.Add(new ProduceResponse.NodeEndpoint { NodeId = node.Id, Host = node.Host, Port = node.Port });
            }
        }

        return ValueTask.FromResult(request.Acks == 0 ? null : response);
    }

    private static void Append(RequestContext context, short acks, TopicState topic, Partition partition, ReadOnlyMemory<byte>? records, ProduceResponse.PartitionProduceResponse result)
    {
        var config = topic.Config;
        var bytes = records ?? ReadOnlyMemory<byte>.Empty;
        var (error, message, _) = BatchValidation.Validate(bytes.Span, config, context.ApiVersion);
        if (error != ErrorCode.None)
        {
            result.ErrorCode = (short)error;
            result.ErrorMessage = context.ApiVersion >= 8 ? message : null;
            return;
        }

        // The log rewrites offsets and epochs, so it gets its own copy of the client's bytes.
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        try
        {
            var batches = buffer.AsSpan(0, bytes.Length);
            bytes.Span.CopyTo(batches);
            var appendTime = -1L;
            if (config.LogAppendTime)
            {
                appendTime = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
                BatchValidation.StampLogAppendTime(batches, appendTime);
            }

            var outcome = partition.Append(context.Node.Id, batches, acks);
            result.ErrorCode = (short)outcome.Error;
            result.ErrorMessage = context.ApiVersion >= 8 ? outcome.Message : null;
            if (outcome.Error == ErrorCode.None)
            {
                result.BaseOffset = outcome.BaseOffset;
                result.LogAppendTimeMs = appendTime;
                result.LogStartOffset = outcome.LogStartOffset;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

using Samsa.Broker.Security.Authorization;
using System.Buffers;
using System.Buffers.Binary;
using Samsa.Broker.Cluster;
using Samsa.Broker.Groups;
using Samsa.Broker.Replication;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Produce (key 0), versions 0-11 advertised.
/// Each partition's batches are validated (magic 2, lengths, CRC-32C, max.message.bytes, one batch
/// from v3 on), stamped with the leader epoch (and log-append time for LogAppendTime topics) and
/// appended on the leader and every in-sync follower before the answer, so acks=1 and acks=all both
/// answer once the records are on every in-sync replica. acks=all with fewer in-sync replicas than
/// min.insync.replicas is NOT_ENOUGH_REPLICAS; acks=0 sends no response.
/// Behaviour: magic 0/1 message sets (what v0-v2 clients may send) are refused with
/// UNSUPPORTED_FOR_MESSAGE_FORMAT; no up-conversion. A transactional batch is appended only when
/// its producer id and epoch own the transactional id's Ongoing transaction and the partition was
/// added to it (checked in-process with the coordinator, as KIP-890's verification does, under the
/// transaction's gate so no marker slips in between): otherwise INVALID_PRODUCER_ID_MAPPING,
/// INVALID_PRODUCER_EPOCH or INVALID_TXN_STATE, and NOT_ENOUGH_REPLICAS (retriable) while the id's
/// coordinator is loading or offline. A transactional batch without a transactional id in the
/// request is TRANSACTIONAL_ID_AUTHORIZATION_FAILED. Idempotent batches are checked against the
/// partition's producer state: duplicates answer with the original offset, gaps are
/// OUT_OF_ORDER_SEQUENCE_NUMBER, stale epochs INVALID_PRODUCER_EPOCH.
/// Record-level checks (a key on compacted topics, timestamps within
/// message.timestamp.before/after.max.ms) cover every record of the batch; the partition answers
/// INVALID_RECORD (INVALID_TIMESTAMP when a timestamp is out of range) listing each bad record's
/// index in record_errors, so clients fail exactly those records and the rest as collateral (KIP-467).
/// Version notes: v2 log append time; v3 transactional id, magic 2 only in Kafka; v5 log start
/// offset; v8 per-record errors (record_errors) and error message; v9 flexible; v10 current leader and node endpoints
/// on NOT_LEADER_OR_FOLLOWER.
/// </summary>
internal sealed class ProduceHandler(TransactionCoordinator? transactions = null) : RequestHandler<ProduceRequest, ProduceResponse>
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
        List<Task>? transactional = null;
        if (request.TransactionalId is { } transactionalId && !context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, transactionalId))
        {
            // Kafka fails the whole request: every partition answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
            foreach (var denied in request.TopicData)
            {
                response.Responses.Add(new ProduceResponse.TopicProduceResponse
                {
                    Name = denied.Name,
                    PartitionResponses = denied.PartitionData.Select(p => new ProduceResponse.PartitionProduceResponse { Index = p.Index, BaseOffset = -1, ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed }).ToList(),
                });
            }

            return ValueTask.FromResult(request.Acks == 0 ? null : response);
        }

        foreach (var topicData in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topicData.Name };
            response.Responses.Add(topicResponse);
            context.Cluster.TryGetTopic(topicData.Name, out var topic);
            var writable = context.Authorize(AclOperation.Write, AclResourceType.Topic, topicData.Name);
            foreach (var partitionData in topicData.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse { Index = partitionData.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(result);
                if (!validAcks)
                {
                    result.ErrorCode = (short)ErrorCode.InvalidRequiredAcks;
                    continue;
                }

                if (!writable)
                {
                    result.ErrorCode = (short)ErrorCode.TopicAuthorizationFailed;
                    continue;
                }

                if (topic is null || !topic.TryGetPartition(partitionData.Index, out var partition))
                {
                    result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (IsTransactional(partitionData.Records))
                {
                    if (request.TransactionalId is null || transactions is null)
                    {
                        result.ErrorCode = (short)(request.TransactionalId is null ? ErrorCode.TransactionalIdAuthorizationFailed : ErrorCode.TransactionalIdNotFound);
                        continue;
                    }

                    (transactional ??= []).Add(AppendTransactionalAsync(context, request.Acks, request.TransactionalId, topic, partition, partitionData.Records, result, transactions));
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

        if (transactional is not null)
        {
            return CompleteTransactionalAsync(context, request, response, transactional, notLeaderSeen);
        }

        AddNodeEndpoints(context, response, notLeaderSeen);
        return ValueTask.FromResult(request.Acks == 0 ? null : response);
    }

    private static void AddNodeEndpoints(RequestContext context, ProduceResponse response, bool notLeaderSeen)
    {
        if (notLeaderSeen && context.ApiVersion >= 10)
        {
            foreach (var node in context.Cluster.Nodes.Where(n => n.IsAlive))
            {
                response.NodeEndpoints.Add(new ProduceResponse.NodeEndpoint { NodeId = node.Id, Host = node.Host, Port = node.Port });
            }
        }
    }

    /// <summary>Whether the partition's (first) batch is transactional; malformed data is left to validation.</summary>
    private static bool IsTransactional(ReadOnlyMemory<byte>? records)
    {
        var span = records is { } bytes ? bytes.Span : default;
        return span.Length > RecordBatchHeader.AttributesOffset + 1
            && (sbyte)span[RecordBatchHeader.MagicOffset] == 2
            && (BinaryPrimitives.ReadInt16BigEndian(span[RecordBatchHeader.AttributesOffset..]) & RecordBatchHeader.TransactionalMask) != 0;
    }

    private static async ValueTask<ProduceResponse?> CompleteTransactionalAsync(RequestContext context, ProduceRequest request, ProduceResponse response, List<Task> transactional, bool notLeaderSeen)
    {
        await Task.WhenAll(transactional).ConfigureAwait(false);
        var partitions = response.Responses.SelectMany(t => t.PartitionResponses.Select(p => (Topic: t.Name, Result: p)));
        foreach (var (topicName, result) in partitions)
        {
            if (result.ErrorCode == (short)ErrorCode.NotLeaderOrFollower && context.Cluster.TryGetTopic(topicName, out var topic) && topic.TryGetPartition(result.Index, out var partition))
            {
                notLeaderSeen = true;
                if (context.ApiVersion >= 10 && result.CurrentLeader.LeaderId < 0)
                {
                    var leadership = partition.Leadership;
                    result.CurrentLeader = new ProduceResponse.LeaderIdAndEpoch { LeaderId = leadership.LeaderId, LeaderEpoch = leadership.LeaderEpoch };
                }
            }
        }

        AddNodeEndpoints(context, response, notLeaderSeen);
        return request.Acks == 0 ? null : response;
    }

    /// <summary>Appends a transactional batch if its producer owns the transaction and the partition is in it.</summary>
    private static async Task AppendTransactionalAsync(
        RequestContext context,
        short acks,
        string transactionalId,
        TopicState topic,
        Partition partition,
        ReadOnlyMemory<byte>? records,
        ProduceResponse.PartitionProduceResponse result,
        TransactionCoordinator transactions)
    {
        RecordBatchHeader header;
        try
        {
            if (!RecordBatchHeader.TryRead(records!.Value.Span, out header))
            {
                // Too short to be a batch: validation answers with the precise error.
                Append(context, acks, topic, partition, records, result);
                return;
            }
        }
        catch (ProtocolException)
        {
            Append(context, acks, topic, partition, records, result);
            return;
        }

        var (error, _) = await transactions.RunInTransactionAsync(
            transactionalId,
            header.ProducerId,
            header.ProducerEpoch,
            new TopicPartitionKey(topic.Name, partition.Index),
            () =>
            {
                Append(context, acks, topic, partition, records, result);
                return Task.FromResult(true);
            },
            unavailable: ErrorCode.NotEnoughReplicas).ConfigureAwait(false);
        if (error != ErrorCode.None)
        {
            result.ErrorCode = (short)error;
        }
    }

    private static void Append(RequestContext context, short acks, TopicState topic, Partition partition, ReadOnlyMemory<byte>? records, ProduceResponse.PartitionProduceResponse result)
    {
        var config = topic.Config.LogConfig;
        var bytes = records ?? ReadOnlyMemory<byte>.Empty;
        var now = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var validation = BatchValidation.Validate(bytes.Span, config, context.ApiVersion, topic.Name, partition.Index, now);
        if (validation.Error != ErrorCode.None)
        {
            result.ErrorCode = (short)validation.Error;
            if (context.ApiVersion >= 8)
            {
                result.ErrorMessage = validation.Message;
                foreach (var recordError in validation.RecordErrors ?? [])
                {
                    result.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = recordError.BatchIndex, BatchIndexErrorMessage = recordError.Message });
                }
            }

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
                appendTime = now;
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

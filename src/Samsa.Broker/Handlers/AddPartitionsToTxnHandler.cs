using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// AddPartitionsToTxn (key 24), versions 0-5.
/// Adds partitions to the producer's transaction on its coordinator, which becomes Ongoing (the
/// change is written to <c>__transaction_state</c> before the answer). Every partition gets the
/// same error: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, INVALID_PRODUCER_ID_MAPPING (unknown
/// id or another producer id), PRODUCER_FENCED (another epoch; INVALID_PRODUCER_EPOCH before v2),
/// CONCURRENT_TRANSACTIONS (the previous transaction's markers are still pending). When a topic or
/// partition is unknown, those get UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED,
/// and nothing is added.
/// Behavior: v4+ (Kafka's broker-to-broker form, batched by transaction) is served to anyone (there
/// are no ACLs); VerifyOnly answers INVALID_TXN_STATE for each partition not in the Ongoing
/// transaction. Samsa's own partition leaders check transactions in-process and never send it.
/// Version notes: v1 same as v0; v2 PRODUCER_FENCED; v3 flexible; v4 transactions batched, top-level
/// error code, VerifyOnly; v5 may answer TRANSACTION_ABORTABLE (never sent here).
/// </summary>
internal sealed class AddPartitionsToTxnHandler(TransactionCoordinator transactions) : RequestHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>
{
    public override ApiKey ApiKey => ApiKey.AddPartitionsToTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override async ValueTask<AddPartitionsToTxnResponse?> HandleAsync(RequestContext context, AddPartitionsToTxnRequest request)
    {
        var response = new AddPartitionsToTxnResponse();
        if (context.ApiVersion <= 3)
        {
            response.ResultsByTopicV3AndBelow = await AddAsync(
                context,
                request.V3AndBelowTransactionalId,
                request.V3AndBelowProducerId,
                request.V3AndBelowProducerEpoch,
                request.V3AndBelowTopics,
                verifyOnly: false).ConfigureAwait(false);
            return response;
        }

        foreach (var transaction in request.Transactions)
        {
            response.ResultsByTransaction.Add(new AddPartitionsToTxnResponse.AddPartitionsToTxnResult
            {
                TransactionalId = transaction.TransactionalId,
                TopicResults = await AddAsync(
                    context,
                    transaction.TransactionalId,
                    transaction.ProducerId,
                    transaction.ProducerEpoch,
                    transaction.Topics,
                    transaction.VerifyOnly).ConfigureAwait(false),
            });
        }

        return response;
    }

    private async Task<List<AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult>> AddAsync(
        RequestContext context,
        string transactionalId,
        long producerId,
        short producerEpoch,
        List<AddPartitionsToTxnRequest.AddPartitionsToTxnTopic> topics,
        bool verifyOnly)
    {
        var requested = topics.SelectMany(t => t.Partitions.Select(p => new TopicPartitionKey(t.Name, p))).ToList();
        var unwritable = topics.Where(t => !context.Authorize(AclOperation.Write, AclResourceType.Topic, t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = requested
            .Where(tp => !context.Cluster.TryGetTopic(tp.Topic, out var topic) || !topic.TryGetPartition(tp.Partition, out _))
            .ToHashSet();
        Func<TopicPartitionKey, ErrorCode> errorOf;
        if (!context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, transactionalId))
        {
            errorOf = _ => ErrorCode.TransactionalIdAuthorizationFailed;
        }
        else if (unwritable.Count > 0)
        {
            errorOf = tp => unwritable.Contains(tp.Topic) ? ErrorCode.TopicAuthorizationFailed : ErrorCode.OperationNotAttempted;
        }
        else if (unknown.Count > 0)
        {
            errorOf = tp => unknown.Contains(tp) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.OperationNotAttempted;
        }
        else if (verifyOnly)
        {
            var (error, missing) = await transactions.VerifyPartitionsAsync(context.Node.Id, transactionalId, producerId, producerEpoch, requested).ConfigureAwait(false);
            errorOf = tp => error != ErrorCode.None ? error : missing.Contains(tp) ? ErrorCode.InvalidTxnState : ErrorCode.None;
        }
        else
        {
            var error = await transactions.AddPartitionsAsync(context.Node.Id, transactionalId, producerId, producerEpoch, requested).ConfigureAwait(false);
            errorOf = _ => error;
        }

        return topics.Select(t => new AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult
        {
            Name = t.Name,
            ResultsByPartition = t.Partitions.Select(p => new AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult
            {
                PartitionIndex = p,
                PartitionErrorCode = (short)TransactionErrors.ForVersion(errorOf(new TopicPartitionKey(t.Name, p)), context.ApiVersion, producerFencedSince: 2),
            }).ToList(),
        }).ToList();
    }
}

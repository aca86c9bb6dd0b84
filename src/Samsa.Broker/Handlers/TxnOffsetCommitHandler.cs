using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// TxnOffsetCommit (key 28), versions 0-4.
/// Sent to the group coordinator by a transactional producer (SendOffsetsToTransaction) after
/// AddOffsetsToTxn. The offsets are written to the group's <c>__consumer_offsets</c> partition as
/// transactional records of the producer and stay pending, invisible to OffsetFetch, until the
/// transaction's commit marker makes them the group's committed offsets (an abort marker drops them).
/// Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE, NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, and (v3+ members) UNKNOWN_MEMBER_ID,
/// FENCED_INSTANCE_ID, ILLEGAL_GENERATION; from the transaction: INVALID_PRODUCER_ID_MAPPING,
/// INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE (the group's partition was not added with AddOffsetsToTxn).
/// Behavior: the transaction is checked in-process with its coordinator (as KIP-890's verification
/// does), under the transaction's gate, so no marker can slip between the check and the write.
/// Version notes: v1 same as v0; v2 committed leader epoch; v3 flexible, generation, member id and
/// group instance id; v4 may answer TRANSACTION_ABORTABLE (never sent here).
/// </summary>
internal sealed class TxnOffsetCommitHandler(GroupCoordinator groups, TransactionCoordinator transactions) : RequestHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>
{
    public override ApiKey ApiKey => ApiKey.TxnOffsetCommit;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<TxnOffsetCommitResponse?> HandleAsync(RequestContext context, TxnOffsetCommitRequest request)
    {
        var version = context.ApiVersion;
        var entries = request.Topics
            .SelectMany(t => t.Partitions.Select(p => new OffsetCommitEntry(
                t.Name,
                p.PartitionIndex,
                p.CommittedOffset,
                version >= 2 ? p.CommittedLeaderEpoch : -1,
                p.CommittedMetadata,
                -1)))
            .ToList();
        var command = new TxnOffsetCommitCommand(
            request.ProducerId,
            request.ProducerEpoch,
            version >= 3 ? request.GenerationId : -1,
            version >= 3 ? request.MemberId : "",
            version >= 3 ? request.GroupInstanceId : null,
            entries);

        IReadOnlyList<ErrorCode> errors;
        var offsetsPartition = groups.OffsetsPartitionFor(request.GroupId);
        if (!context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId))
        {
            errors = Enumerable.Repeat(ErrorCode.TransactionalIdAuthorizationFailed, entries.Count).ToList();
        }
        else if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            errors = Enumerable.Repeat(ErrorCode.GroupAuthorizationFailed, entries.Count).ToList();
        }
        else if (offsetsPartition < 0)
        {
            errors = Enumerable.Repeat(ErrorCode.CoordinatorNotAvailable, entries.Count).ToList();
        }
        else
        {
            var (error, committed) = await transactions.RunInTransactionAsync(
                request.TransactionalId,
                request.ProducerId,
                request.ProducerEpoch,
                new TopicPartitionKey(GroupCoordinator.OffsetsTopicName, offsetsPartition),
                () => groups.CommitTransactionalOffsetsAsync(context.Node.Id, request.GroupId, command),
                unavailable: ErrorCode.CoordinatorLoadInProgress).ConfigureAwait(false);
            errors = error == ErrorCode.None ? committed : Enumerable.Repeat(error, entries.Count).ToList();
        }

        var response = new TxnOffsetCommitResponse();
        var index = 0;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)errors[index++],
                });
            }

            response.Topics.Add(topicResponse);
        }

        return response;
    }
}

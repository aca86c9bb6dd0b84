using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// AddOffsetsToTxn (key 25), versions 0-4.
/// Adds the group's <c>__consumer_offsets</c> partition (chosen as for FindCoordinator) to the
/// producer's transaction, so the offsets it then sends with TxnOffsetCommit commit or abort with
/// it. Errors as for AddPartitionsToTxn: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS,
/// INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2),
/// CONCURRENT_TRANSACTIONS. Behavior: as Kafka.
/// Version notes: v1 same as v0; v2 PRODUCER_FENCED; v3 flexible; v4 may answer
/// TRANSACTION_ABORTABLE (never sent here).
/// </summary>
internal sealed class AddOffsetsToTxnHandler(TransactionCoordinator transactions) : RequestHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>
{
    public override ApiKey ApiKey => ApiKey.AddOffsetsToTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<AddOffsetsToTxnResponse?> HandleAsync(RequestContext context, AddOffsetsToTxnRequest request)
    {
        var error = !context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId) ? ErrorCode.TransactionalIdAuthorizationFailed
            : !context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId) ? ErrorCode.GroupAuthorizationFailed
            : await transactions.AddOffsetsAsync(context.Node.Id, request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.GroupId).ConfigureAwait(false);
        return new AddOffsetsToTxnResponse { ErrorCode = (short)TransactionErrors.ForVersion(error, context.ApiVersion, producerFencedSince: 2) };
    }
}

using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// EndTxn (key 26), versions 0-4 (v5, KIP-890's epoch bump per transaction, is marked unstable in
/// the schema and is not advertised).
/// Commits or aborts the producer's Ongoing transaction: PrepareCommit/PrepareAbort is written to
/// <c>__transaction_state</c>, a commit or abort marker to every partition of the transaction (for
/// a group's <c>__consumer_offsets</c> partition this also makes its transactional offsets
/// committed or drops them), then CompleteCommit/CompleteAbort. A retry with the outcome already
/// reached answers NONE, the other outcome INVALID_TXN_STATE; no open transaction is
/// INVALID_TXN_STATE; NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, INVALID_PRODUCER_ID_MAPPING,
/// PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2) as for AddPartitionsToTxn.
/// Behavior: Kafka answers once the Prepare record is written and writes markers afterwards; here
/// the markers are written before the answer, so the next transaction never waits for them. A
/// marker that cannot be written (partition offline) is retried periodically, and meanwhile the
/// transactional id answers CONCURRENT_TRANSACTIONS.
/// Version notes: v1 same as v0; v2 PRODUCER_FENCED; v3 flexible; v4 may answer
/// TRANSACTION_ABORTABLE (never sent here).
/// </summary>
internal sealed class EndTxnHandler(TransactionCoordinator transactions) : RequestHandler<EndTxnRequest, EndTxnResponse>
{
    public override ApiKey ApiKey => ApiKey.EndTxn;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override async ValueTask<EndTxnResponse?> HandleAsync(RequestContext context, EndTxnRequest request)
    {
        var error = !context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId)
            ? ErrorCode.TransactionalIdAuthorizationFailed
            : await transactions.EndTransactionAsync(context.Node.Id, request.TransactionalId, request.ProducerId, request.ProducerEpoch, request.Committed).ConfigureAwait(false);
        return new EndTxnResponse { ErrorCode = (short)TransactionErrors.ForVersion(error, context.ApiVersion, producerFencedSince: 2) };
    }
}

using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// InitProducerId (key 22), versions 0-5.
/// Without a transactional id (an idempotent producer) every call hands out a new producer id at
/// epoch 0; ids are never reused, also across restarts. With a transactional id the request goes
/// to the id's transaction coordinator (NOT_COORDINATOR elsewhere): a new id gets a producer id,
/// a known one its producer id at a bumped epoch, which fences older producers; a transaction still
/// open is aborted first. An empty transactional id is INVALID_REQUEST, a timeout above
/// transaction.max.timeout.ms INVALID_TRANSACTION_TIMEOUT, prepared markers still pending
/// CONCURRENT_TRANSACTIONS.
/// Version notes: v2 flexible; v3 producer id and epoch, so a producer resumes its own id with a
/// bumped epoch (KIP-360) and anyone else is fenced; v4 PRODUCER_FENCED (INVALID_PRODUCER_EPOCH
/// before); v5 may answer TRANSACTION_ABORTABLE (never sent here).
/// </summary>
internal sealed class InitProducerIdHandler(TransactionCoordinator? transactions = null) : RequestHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override ApiKey ApiKey => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        // Kafka: a transactional id needs WRITE on it; an idempotent producer needs IDEMPOTENT_WRITE
        // on the cluster or WRITE on some topic (KIP-679).
        var denied = request.TransactionalId is { } transactionalId
            ? (context.Authorize(AclOperation.Write, AclResourceType.TransactionalId, transactionalId) ? ErrorCode.None : ErrorCode.TransactionalIdAuthorizationFailed)
            : (context.AuthorizeCluster(AclOperation.IdempotentWrite) || context.AuthorizeAny(AclOperation.Write, AclResourceType.Topic) ? ErrorCode.None : ErrorCode.ClusterAuthorizationFailed);
        if (denied != ErrorCode.None)
        {
            return ValueTask.FromResult<InitProducerIdResponse?>(new InitProducerIdResponse { ErrorCode = (short)denied, ProducerId = -1, ProducerEpoch = -1 });
        }

        if (request.TransactionalId is not null && transactions is not null)
        {
            return InitTransactionalAsync(context, request, transactions);
        }

        if (request.TransactionalId is not null)
        {
            return ValueTask.FromResult<InitProducerIdResponse?>(new InitProducerIdResponse
            {
                ErrorCode = (short)ErrorCode.TransactionalIdNotFound,
                ProducerId = -1,
                ProducerEpoch = -1,
            });
        }

        return ValueTask.FromResult<InitProducerIdResponse?>(new InitProducerIdResponse
        {
            ProducerId = context.Cluster.AllocateProducerId(),
            ProducerEpoch = 0,
        });
    }

    private static async ValueTask<InitProducerIdResponse?> InitTransactionalAsync(RequestContext context, InitProducerIdRequest request, TransactionCoordinator transactions)
    {
        var version = context.ApiVersion;
        var result = await transactions.InitProducerIdAsync(
            context.Node.Id,
            request.TransactionalId!,
            request.TransactionTimeoutMs,
            version >= 3 ? request.ProducerId : -1,
            version >= 3 ? request.ProducerEpoch : (short)-1).ConfigureAwait(false);
        return new InitProducerIdResponse
        {
            ErrorCode = (short)TransactionErrors.ForVersion(result.Error, version, producerFencedSince: 4),
            ProducerId = result.ProducerId,
            ProducerEpoch = result.ProducerEpoch,
        };
    }
}

using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// InitProducerId (key 22), versions 0-5.
/// Without a transactional id (an idempotent producer) every call hands out a new producer id at
/// epoch 0; ids are never reused, also across restarts. Transactional ids are refused with
/// TRANSACTIONAL_ID_NOT_FOUND until the broker has a transaction coordinator (see UNSUPPORTED.md).
/// Version notes: v2 flexible; v3 producer id and epoch for epoch bumps (KIP-360); v4-5 same.
/// </summary>
internal sealed class InitProducerIdHandler : RequestHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    public override ApiKey ApiKey => ApiKey.InitProducerId;

    public override short MinVersion => 0;

    public override short MaxVersion => 5;

    protected override ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
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
}

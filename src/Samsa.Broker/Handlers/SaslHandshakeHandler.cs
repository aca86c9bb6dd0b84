using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// SaslHandshake (key 17), versions 0-1.
/// Picks the connection's SASL mechanism and lists the enabled ones. An unknown or disabled mechanism
/// is answered UNSUPPORTED_SASL_MECHANISM, then the connection closes. On a listener without SASL, or
/// once authenticated, the answer is ILLEGAL_SASL_STATE and the connection stays open.
/// Behavior: as Kafka.
/// Version notes: v0: the SASL tokens that follow travel as bare size-prefixed frames without a Kafka
/// header (kafka-python, old clients); v1: they travel inside SaslAuthenticate requests.
/// </summary>
internal sealed class SaslHandshakeHandler : RequestHandler<SaslHandshakeRequest, SaslHandshakeResponse>
{
    public override ApiKey ApiKey => ApiKey.SaslHandshake;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override ValueTask<SaslHandshakeResponse?> HandleAsync(RequestContext context, SaslHandshakeRequest request) =>
        ValueTask.FromResult<SaslHandshakeResponse?>(context.Sasl is { } session
            ? session.Handshake(request.Mechanism, context.ApiVersion)
            : new SaslHandshakeResponse { ErrorCode = (short)ErrorCode.IllegalSaslState });
}

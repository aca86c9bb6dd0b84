using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// SaslAuthenticate (key 36), versions 0-2.
/// Carries one SASL token each way after a SaslHandshake v1. Bad credentials are answered
/// SASL_AUTHENTICATION_FAILED with a message, then the connection closes. On a listener without SASL,
/// or once authenticated, the answer is ILLEGAL_SASL_STATE and the connection stays open.
/// Behavior: the session lifetime is always 0, so clients never re-authenticate (KIP-368 is not served;
/// Kafka's <c>connections.max.reauth.ms</c> default is 0 as well).
/// Version notes: v1 adds SessionLifetimeMs; v2 is flexible.
/// </summary>
internal sealed class SaslAuthenticateHandler : RequestHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>
{
    private const string NotExpected = "SaslAuthenticate is not expected on this connection: the listener does not use SASL.";

    public override ApiKey ApiKey => ApiKey.SaslAuthenticate;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override ValueTask<SaslAuthenticateResponse?> HandleAsync(RequestContext context, SaslAuthenticateRequest request) =>
        ValueTask.FromResult<SaslAuthenticateResponse?>(context.Sasl is { } session
            ? session.Authenticate(request.AuthBytes)
            : new SaslAuthenticateResponse { ErrorCode = (short)ErrorCode.IllegalSaslState, ErrorMessage = NotExpected });
}

using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Security;

/// <summary>Where a connection on a SASL listener is in authenticating (Kafka's SaslServerAuthenticator states).</summary>
internal enum SaslState
{
    /// <summary>Nothing received yet: ApiVersions or SaslHandshake may come.</summary>
    Initial,

    /// <summary>ApiVersions was answered: SaslHandshake must come next.</summary>
    AwaitingHandshake,

    /// <summary>SaslHandshake v0 was accepted: the client's SASL tokens follow as bare size-prefixed frames, with no Kafka header.</summary>
    RawTokens,

    /// <summary>SaslHandshake v1 was accepted: the client's SASL tokens follow inside SaslAuthenticate requests.</summary>
    AuthenticateRequests,

    /// <summary>Authenticated: every request is served.</summary>
    Authenticated,

    /// <summary>Authentication failed: the connection closes once the answer (if any) is sent.</summary>
    Failed,
}

/// <summary>
/// The SASL state machine of one connection. The connection asks it which requests may come
/// (<see cref="Admit"/>) and feeds it bare tokens after a v0 handshake; the SaslHandshake and
/// SaslAuthenticate handlers feed it the rest. <paramref name="completed"/> is called once, when the
/// state becomes <see cref="SaslState.Authenticated"/> or <see cref="SaslState.Failed"/>; on failure
/// the connection closes after the response is sent, as Kafka does. One request at a time: no locking.
/// </summary>
internal sealed class SaslSession(ListenerSecurity security, Action<SaslSession> completed)
{
    private ISaslAuthenticator? _authenticator;

    public SaslState State { get; private set; } = SaslState.Initial;

    /// <summary>The mechanism the client asked for in SaslHandshake.</summary>
    public string? Mechanism { get; private set; }

    /// <summary><c>User:name</c> once authenticated.</summary>
    public string? Principal { get; private set; }

    /// <summary>The user name the client gave, when it got that far.</summary>
    public string? User { get; private set; }

    /// <summary>Why authentication failed, for the broker's log only.</summary>
    public string? FailureReason { get; private set; }

    public bool IsAuthenticated => State == SaslState.Authenticated;

    /// <summary>True after a v0 handshake: the next frame is a bare SASL token, not a Kafka request.</summary>
    public bool ExpectsRawTokens => State == SaslState.RawTokens;

    /// <summary>
    /// Checks a request that arrives before authentication is complete. Returns null when it may be
    /// served, else why the connection must close: before authentication Kafka serves only one
    /// ApiVersions, then SaslHandshake, then (after a v1 handshake) SaslAuthenticate.
    /// </summary>
    public string? Admit(ApiKey apiKey)
    {
        switch (State)
        {
            case SaslState.Authenticated:
                return null;
            case SaslState.Initial when apiKey == ApiKey.ApiVersions:
                State = SaslState.AwaitingHandshake;
                return null;
            case SaslState.Initial or SaslState.AwaitingHandshake when apiKey == ApiKey.SaslHandshake:
            case SaslState.AuthenticateRequests when apiKey == ApiKey.SaslAuthenticate:
                return null;
            default:
                var refusal = $"{apiKey} request while SASL authentication is at {State}; " + State switch
                {
                    SaslState.AuthenticateRequests => "only SaslAuthenticate may come now",
                    SaslState.AwaitingHandshake => "only SaslHandshake may come now",
                    _ => "only ApiVersions and SaslHandshake may come first",
                };
                State = SaslState.Failed;
                return refusal;
        }
    }

    /// <summary>SaslHandshake: picks the mechanism. An unknown one is answered UNSUPPORTED_SASL_MECHANISM with the enabled list, and the connection closes.</summary>
    public SaslHandshakeResponse Handshake(string? mechanism, short version)
    {
        if (State is not (SaslState.Initial or SaslState.AwaitingHandshake))
        {
            // Kafka answers a handshake on an authenticated connection from its request handlers, and keeps the connection.
            return new SaslHandshakeResponse { ErrorCode = (short)ErrorCode.IllegalSaslState };
        }

        var response = new SaslHandshakeResponse { Mechanisms = [.. security.Mechanisms] };
        Mechanism = mechanism;
        if (mechanism is null || security.CreateAuthenticator(mechanism) is not { } authenticator)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedSaslMechanism;
            Fail($"the client asked for mechanism '{mechanism}', which is not enabled (enabled: {string.Join(", ", security.Mechanisms)})");
            return response;
        }

        _authenticator = authenticator;
        State = version == 0 ? SaslState.RawTokens : SaslState.AuthenticateRequests;
        return response;
    }

    /// <summary>SaslAuthenticate: one step of the exchange. Failure is answered SASL_AUTHENTICATION_FAILED, and the connection closes.</summary>
    public SaslAuthenticateResponse Authenticate(byte[] token)
    {
        if (State != SaslState.AuthenticateRequests)
        {
            // Only reachable once authenticated (Admit refuses it before): re-authentication (KIP-368) is not offered.
            return new SaslAuthenticateResponse
            {
                ErrorCode = (short)ErrorCode.IllegalSaslState,
                ErrorMessage = "This connection is already authenticated; SaslAuthenticate is not expected now (re-authentication is not offered: the session lifetime is 0).",
            };
        }

        var step = Step(token);
        if (step.Outcome == SaslStepOutcome.Failed)
        {
            return new SaslAuthenticateResponse
            {
                ErrorCode = (short)ErrorCode.SaslAuthenticationFailed,
                ErrorMessage = FailureMessage(Mechanism!),
            };
        }

        // SessionLifetimeMs 0: the client never needs to re-authenticate (Kafka's connections.max.reauth.ms default).
        return new SaslAuthenticateResponse { AuthBytes = step.Challenge, SessionLifetimeMs = 0 };
    }

    /// <summary>A bare token after a v0 handshake: the bytes to send back (size-prefixed, even when empty), or null when authentication failed and the connection closes without an answer.</summary>
    public byte[]? EvaluateRawToken(ReadOnlySpan<byte> token)
    {
        var step = Step(token);
        return step.Outcome == SaslStepOutcome.Failed ? null : step.Challenge;
    }

    /// <summary>What the client is told; the detail (unknown user or wrong password) stays in the broker's log.</summary>
    public static string FailureMessage(string mechanism) =>
        $"SASL authentication with mechanism {mechanism} failed: the user name or password is not valid.";

    private SaslStep Step(ReadOnlySpan<byte> token)
    {
        var step = _authenticator!.Evaluate(token);
        User = step.User ?? User;
        switch (step.Outcome)
        {
            case SaslStepOutcome.Succeeded:
                Principal = KafkaPrincipal.User(step.User!);
                State = SaslState.Authenticated;
                completed(this);
                break;
            case SaslStepOutcome.Failed:
                Fail(step.FailureReason!);
                break;
        }

        return step;
    }

    private void Fail(string reason)
    {
        FailureReason = reason;
        State = SaslState.Failed;
        completed(this);
    }
}

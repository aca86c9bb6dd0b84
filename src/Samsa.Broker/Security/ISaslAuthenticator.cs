namespace Samsa.Broker.Security;

/// <summary>The server side of one SASL exchange on one connection. Not thread-safe: a connection serves one token at a time.</summary>
internal interface ISaslAuthenticator
{
    string Mechanism { get; }

    /// <summary>Takes the client's next token and says what to answer.</summary>
    SaslStep Evaluate(ReadOnlySpan<byte> response);
}

internal enum SaslStepOutcome
{
    /// <summary>Send <see cref="SaslStep.Challenge"/> and wait for the client's next token.</summary>
    Continue,

    /// <summary>Send <see cref="SaslStep.Challenge"/> (possibly empty); the client is authenticated as <see cref="SaslStep.User"/>.</summary>
    Succeeded,

    /// <summary>Authentication failed; <see cref="SaslStep.FailureReason"/> is for the broker's log only, never for the client.</summary>
    Failed,
}

internal readonly record struct SaslStep(SaslStepOutcome Outcome, byte[] Challenge, string? User, string? FailureReason)
{
    public static SaslStep Next(byte[] challenge) => new(SaslStepOutcome.Continue, challenge, null, null);

    public static SaslStep Success(byte[] challenge, string user) => new(SaslStepOutcome.Succeeded, challenge, user, null);

    public static SaslStep Failure(string reason, string? user = null) => new(SaslStepOutcome.Failed, [], user, reason);
}

using System.Buffers;
using System.Buffers.Binary;
using Samsa.Broker.Security;
using Samsa.Protocol;

namespace Samsa.Broker.Network;

/// <summary>
/// SASL for SASL_PLAINTEXT and SASL_SSL listeners. <see cref="SaslSession"/> is the connection's state
/// machine; this part applies it to the loop:
/// <list type="bullet">
/// <item>before authentication only ApiVersions, SaslHandshake and SaslAuthenticate are served, in that
/// order; anything else closes the connection (<see cref="AdmitBeforeAuthentication"/>), as Kafka does;</item>
/// <item>after a SaslHandshake v0 the next frames are bare SASL tokens without a Kafka header, answered
/// with bare size-prefixed tokens (<see cref="TryProcessRawSaslToken"/>);</item>
/// <item>until authenticated, frames are limited to Kafka's <c>sasl.server.max.receive.size</c>;</item>
/// <item>a failed authentication closes the connection once its response, if any, has been sent.</item>
/// </list>
/// The loop itself, one request at a time, is unchanged.
/// </summary>
internal sealed partial class BrokerConnection
{
    private readonly SaslSession? _sasl;

    /// <summary>The largest frame accepted now: smaller until a SASL client is authenticated.</summary>
    private int MaxFrameSize =>
        _sasl is { IsAuthenticated: false } ? Math.Min(_maxRequestSize, SecurityDefaults.SaslMaxReceiveSize) : _maxRequestSize;

    /// <summary>Who is on the other end: the SASL user, else the TLS client certificate's subject, else anonymous.</summary>
    private string Principal => _sasl?.Principal ?? _tlsPrincipal ?? KafkaPrincipal.Anonymous;

    private SaslSession? CreateSaslSession() => _security.UsesSasl ? new SaslSession(_security, OnSaslCompleted) : null;

    /// <summary>Closes the connection when a request comes before authentication that Kafka would not serve then.</summary>
    private void AdmitBeforeAuthentication(ApiKey apiKey)
    {
        if (_sasl?.Admit(apiKey) is { } refusal)
        {
            throw new ConnectionException(ConnectionEndReason.AuthenticationFailed, refusal);
        }
    }

    /// <summary>After a SaslHandshake v0, a frame is a bare SASL token: evaluates it and queues the bare answer.</summary>
    private bool TryProcessRawSaslToken(ReadOnlySequence<byte> frame)
    {
        if (_sasl is not { ExpectsRawTokens: true } session)
        {
            return false;
        }

        var answer = session.EvaluateRawToken(frame.IsSingleSegment ? frame.FirstSpan : frame.ToArray());
        if (answer is not null)
        {
            // Sent even when empty: a PLAIN client waits for the zero size.
            var span = _output.GetSpan(4 + answer.Length);
            BinaryPrimitives.WriteInt32BigEndian(span, answer.Length);
            answer.CopyTo(span[4..]);
            _output.Advance(4 + answer.Length);
        }

        return true;
    }

    private void OnSaslCompleted(SaslSession session)
    {
        if (session.IsAuthenticated)
        {
            SecurityLogging.SaslAuthenticated(_logger, Id, Remote, session.Principal, session.Mechanism);
            return;
        }

        SecurityLogging.SaslFailed(_logger, Id, Remote, session.Mechanism, session.User, session.FailureReason);

        // The loop stops taking requests, flushes the answer already written, and closes.
        _forcedEndReason ??= ConnectionEndReason.AuthenticationFailed;
        _stopping = true;
    }
}

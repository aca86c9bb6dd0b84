namespace Samsa.Broker.Network;

/// <summary>Why a client connection ended; logged once per connection.</summary>
internal enum ConnectionEndReason
{
    ClientClosed,
    TruncatedFrame,
    MalformedRequest,
    UnknownApiKey,
    UnsupportedVersion,
    RequestTooLarge,
    HandlerFailed,
    IdleTimeout,
    ServerShutdown,
    NodeStopped,
    NetworkError,
    AuthenticationFailed,
    TlsHandshakeFailed,

    /// <summary>Cut on purpose by a test's fault injection (<c>BrokerControl.DropConnections</c>).</summary>
    DroppedByControl,
}

namespace Samsa.Broker.Network;

/// <summary>Why a client connection ended; logged once per connection.</summary>
public enum ConnectionEndReason
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
}

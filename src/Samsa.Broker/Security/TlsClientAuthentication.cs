namespace Samsa.Broker.Security;

/// <summary>Whether TLS clients must present a certificate (Kafka's <c>ssl.client.auth</c>).</summary>
public enum TlsClientAuthentication
{
    /// <summary><c>none</c>: no client certificate is asked for.</summary>
    None,

    /// <summary><c>requested</c>: a certificate is asked for; a client without one is still accepted, one with an untrusted one is not.</summary>
    Requested,

    /// <summary><c>required</c>: the handshake fails unless the client presents a certificate signed by a trusted authority.</summary>
    Required,
}

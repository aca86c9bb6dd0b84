namespace Samsa.Broker.Security;

/// <summary>Defaults and limits of <see cref="BrokerSecurityOptions"/>, matching Apache Kafka where it has one.</summary>
public static class SecurityDefaults
{
    /// <summary>Iterations of the SCRAM credentials derived for each user: the minimum Kafka accepts, and what <c>kafka-configs</c> uses by default.</summary>
    public const int ScramIterations = 4096;

    /// <summary>Length of the random salt drawn for each user and mechanism.</summary>
    public const int ScramSaltLength = 32;

    /// <summary>
    /// Kafka's <c>sasl.server.max.receive.size</c> default: the largest frame a client on a SASL
    /// listener may send before it is authenticated. A larger one closes the connection.
    /// </summary>
    public const int SaslMaxReceiveSize = 524_288;

    /// <summary>How long a client has to finish the TLS handshake after connecting.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
}

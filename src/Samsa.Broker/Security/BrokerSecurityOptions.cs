using System.Security.Cryptography.X509Certificates;

namespace Samsa.Broker.Security;

/// <summary>
/// Security of the broker's listeners: the protocol, TLS (Kafka's <c>ssl.*</c> settings) and SASL
/// (<c>sasl.enabled.mechanisms</c> and SCRAM credentials). Every node's listener uses the same settings.
/// <code>
/// options.Security.Protocol = BrokerSecurityProtocol.SaslSsl;
/// options.Security.ServerCertificate = certificateWithKey;   // or ServerCertificatePath + ServerKeyPath (PEM)
/// options.Security.SaslMechanisms.Add(SaslMechanismNames.ScramSha512);
/// options.Security.Users.Add("alice", "alice-secret");
/// </code>
/// The listener reads these settings once, when the first client connects; later changes are not
/// seen, except that <see cref="Users"/> may be added or removed while the broker runs.
/// </summary>
public sealed class BrokerSecurityOptions
{
    private ListenerSecurity? _listener;

    /// <summary>The listeners' security protocol; <see cref="BrokerSecurityProtocol.Plaintext"/> by default.</summary>
    public BrokerSecurityProtocol Protocol { get; set; } = BrokerSecurityProtocol.Plaintext;

    /// <summary>
    /// The server certificate for SSL and SASL_SSL, with its private key (Kafka's <c>ssl.keystore.*</c>).
    /// Set this or <see cref="ServerCertificatePath"/>, not both.
    /// </summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>
    /// A PEM file with the server certificate first, then any intermediate certificates, which are sent
    /// to clients with it (Kafka's <c>ssl.keystore.location</c> with <c>ssl.keystore.type=PEM</c>).
    /// </summary>
    public string? ServerCertificatePath { get; set; }

    /// <summary>A PEM file with the unencrypted private key of <see cref="ServerCertificatePath"/>; null when that file holds the key too.</summary>
    public string? ServerKeyPath { get; set; }

    /// <summary>Kafka's <c>ssl.client.auth</c>: whether TLS clients must present a certificate.</summary>
    public TlsClientAuthentication ClientAuthentication { get; set; } = TlsClientAuthentication.None;

    /// <summary>Authorities client certificates must chain to (Kafka's <c>ssl.truststore.*</c>); only these are trusted, not the system store.</summary>
    public X509Certificate2Collection TrustedClientCertificateAuthorities { get; } = [];

    /// <summary>A PEM file of more authorities trusted for client certificates.</summary>
    public string? TrustedClientCertificateAuthoritiesPath { get; set; }

    /// <summary>How long a client has to finish the TLS handshake after connecting; then the connection is closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = SecurityDefaults.HandshakeTimeout;

    /// <summary>Kafka's <c>sasl.enabled.mechanisms</c>: any of <see cref="SaslMechanismNames.Supported"/>, in the order SaslHandshake lists them.</summary>
    public List<string> SaslMechanisms { get; } = [];

    /// <summary>
    /// SASL users. Adding one derives its SCRAM-SHA-256 and SCRAM-SHA-512 credentials at once (random
    /// salt, <see cref="SecurityDefaults.ScramIterations"/> iterations); the password itself is not kept.
    /// </summary>
    public BrokerUserCollection Users { get; } = new();

    /// <summary>
    /// Authorize every request against ACLs (Kafka's <c>authorizer.class.name</c> set to the standard
    /// authorizer). ACLs are managed with CreateAcls/DeleteAcls and kept in the data directory.
    /// </summary>
    public bool EnableAuthorizer { get; set; }

    /// <summary>Kafka's <c>super.users</c>: principals (<c>User:admin</c>) allowed everything, ACLs or not.</summary>
    public List<string> SuperUsers { get; } = [];

    /// <summary>Kafka's <c>allow.everyone.if.no.acl.found</c>: a resource that no ACL names is open to all (default false, as in Kafka).</summary>
    public bool AllowEveryoneIfNoAclFound { get; set; }

    /// <summary>True for SSL and SASL_SSL.</summary>
    public bool UsesTls => Protocol is BrokerSecurityProtocol.Ssl or BrokerSecurityProtocol.SaslSsl;

    /// <summary>True for SASL_PLAINTEXT and SASL_SSL.</summary>
    public bool UsesSasl => Protocol is BrokerSecurityProtocol.SaslPlaintext or BrokerSecurityProtocol.SaslSsl;

    /// <summary>What the listener runs with, built from these settings on first use.</summary>
    internal ListenerSecurity Listener => LazyInitializer.EnsureInitialized(ref _listener, () => new ListenerSecurity(this));
}

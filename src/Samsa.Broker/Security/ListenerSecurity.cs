using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Samsa.Broker.Security;

/// <summary>
/// What a listener runs with, taken from <see cref="BrokerSecurityOptions"/> once: the protocol, the
/// enabled mechanisms, the users, and the TLS settings. Certificate files are read on the first TLS
/// handshake, on that connection's task: a load failure fails that handshake (and is logged), never
/// the accept loop, which creates connections (and so this object) but must not do I/O or throw.
/// </summary>
internal sealed class ListenerSecurity
{
    private readonly Lazy<TlsMaterial>? _tls;

    public ListenerSecurity(BrokerSecurityOptions options)
    {
        Protocol = options.Protocol;
        UsesTls = options.UsesTls;
        UsesSasl = options.UsesSasl;
        Mechanisms = options.SaslMechanisms.Distinct(StringComparer.Ordinal).ToArray();
        Users = options.Users;
        HandshakeTimeout = options.HandshakeTimeout;
        ClientAuthentication = options.ClientAuthentication;
        if (!UsesTls)
        {
            return;
        }

        var certificate = options.ServerCertificate;
        var (certificatePath, keyPath) = (options.ServerCertificatePath, options.ServerKeyPath);
        var authorities = new X509Certificate2Collection(options.TrustedClientCertificateAuthorities);
        var authoritiesPath = options.TrustedClientCertificateAuthoritiesPath;
        _tls = new Lazy<TlsMaterial>(() => new TlsMaterial(
            LoadCertificateContext(certificate, certificatePath, keyPath),
            ClientAuthentication == TlsClientAuthentication.None ? null : CreateClientChainPolicy(authorities, authoritiesPath)));
    }

    public BrokerSecurityProtocol Protocol { get; }

    public bool UsesTls { get; }

    public bool UsesSasl { get; }

    /// <summary>Enabled SASL mechanisms, in configured order without duplicates.</summary>
    public IReadOnlyList<string> Mechanisms { get; }

    public BrokerUserCollection Users { get; }

    public TimeSpan HandshakeTimeout { get; }

    public TlsClientAuthentication ClientAuthentication { get; }

    /// <summary>A fresh options object per handshake (they are mutable), sharing the loaded certificate.</summary>
    public SslServerAuthenticationOptions CreateServerAuthenticationOptions()
    {
        var tls = _tls!.Value;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = tls.Certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = ClientAuthentication != TlsClientAuthentication.None,
        };
        if (tls.ClientChainPolicy is not null)
        {
            options.CertificateChainPolicy = tls.ClientChainPolicy.Clone();
            var required = ClientAuthentication == TlsClientAuthentication.Required;
            options.RemoteCertificateValidationCallback = (_, _, _, errors) =>
                errors == SslPolicyErrors.None || (!required && errors == SslPolicyErrors.RemoteCertificateNotAvailable);
        }

        return options;
    }

    /// <summary>The server side of <paramref name="mechanism"/>, or null when it is not enabled here.</summary>
    public ISaslAuthenticator? CreateAuthenticator(string mechanism)
    {
        if (!Mechanisms.Contains(mechanism, StringComparer.Ordinal))
        {
            return null;
        }

        return mechanism switch
        {
            SaslMechanismNames.Plain => new PlainAuthenticator(Users),
            SaslMechanismNames.ScramSha256 => new ScramAuthenticator(ScramMechanism.Sha256, Users),
            SaslMechanismNames.ScramSha512 => new ScramAuthenticator(ScramMechanism.Sha512, Users),
            _ => null,
        };
    }

    /// <summary>Client certificates must chain to the configured authorities only (not the system store); revocation is not checked.</summary>
    private static X509ChainPolicy CreateClientChainPolicy(X509Certificate2Collection authorities, string? authoritiesPath)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(authorities);
        if (authoritiesPath is not null)
        {
            policy.CustomTrustStore.AddRange(CertificateFiles.LoadAll(authoritiesPath));
        }

        return policy;
    }

    private static SslStreamCertificateContext LoadCertificateContext(X509Certificate2? certificate, string? certificatePath, string? keyPath)
    {
        if (certificate is not null)
        {
            return SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        }

        var (leaf, intermediates) = CertificateFiles.LoadServerCertificate(certificatePath!, keyPath);
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    private sealed record TlsMaterial(SslStreamCertificateContext Certificate, X509ChainPolicy? ClientChainPolicy);
}

using System.Security.Cryptography;

namespace Samsa.Broker.Security;

/// <summary>
/// Checks <see cref="BrokerSecurityOptions"/> and reports every problem at once, naming the setting and
/// the bad value. Certificate files are opened here, so a missing file or key fails start-up, not the first client.
/// </summary>
internal static class BrokerSecurityOptionsValidator
{
    public static IReadOnlyList<string> Validate(BrokerSecurityOptions? security)
    {
        var problems = new List<string>();
        if (security is null)
        {
            problems.Add("Security is null; leave it at its default (PLAINTEXT) or configure it.");
            return problems;
        }

        if (!Enum.IsDefined(security.Protocol))
        {
            problems.Add($"Security.Protocol is {(int)security.Protocol}, which is not a security protocol (use one of {string.Join(", ", BrokerSecurityProtocolNames.All)}).");
            return problems;
        }

        var protocol = security.Protocol.ToKafkaName();
        if (security.UsesTls)
        {
            ValidateServerCertificate(security, protocol, problems);
        }

        ValidateClientAuthentication(security, protocol, problems);
        foreach (var superUser in security.SuperUsers)
        {
            if (string.IsNullOrWhiteSpace(superUser) || superUser.IndexOf(':', StringComparison.Ordinal) <= 0)
            {
                problems.Add($"Security.SuperUsers holds '{superUser}', which is not a principal; write it as Kafka does, e.g. User:admin.");
            }
        }

        if (!security.EnableAuthorizer && (security.SuperUsers.Count > 0 || security.AllowEveryoneIfNoAclFound))
        {
            problems.Add("Security.SuperUsers and Security.AllowEveryoneIfNoAclFound only apply with Security.EnableAuthorizer = true.");
        }

        if (security.HandshakeTimeout <= TimeSpan.Zero)
        {
            problems.Add($"Security.HandshakeTimeout is {security.HandshakeTimeout}; it must be positive.");
        }

        if (security.UsesSasl)
        {
            ValidateSasl(security, protocol, problems);
        }

        return problems;
    }

    private static void ValidateServerCertificate(BrokerSecurityOptions security, string protocol, List<string> problems)
    {
        if (security.ServerCertificate is { } certificate)
        {
            if (security.ServerCertificatePath is not null || security.ServerKeyPath is not null)
            {
                problems.Add("Security.ServerCertificate and Security.ServerCertificatePath/ServerKeyPath are both set; set one of them.");
            }
            else if (!certificate.HasPrivateKey)
            {
                problems.Add($"Security.ServerCertificate ({certificate.Subject}, thumbprint {certificate.Thumbprint}) has no private key; the TLS server needs the certificate with its key.");
            }

            return;
        }

        if (security.ServerCertificatePath is not { } path)
        {
            problems.Add(security.ServerKeyPath is null
                ? $"Security.Protocol is {protocol}, which needs a server certificate: set Security.ServerCertificate (with its private key), or Security.ServerCertificatePath and Security.ServerKeyPath (PEM files)."
                : $"Security.ServerKeyPath is '{security.ServerKeyPath}' but Security.ServerCertificatePath is not set.");
            return;
        }

        try
        {
            using var loaded = CertificateFiles.LoadServerCertificate(path, security.ServerKeyPath).Leaf;
            if (!loaded.HasPrivateKey)
            {
                problems.Add($"Security.ServerCertificatePath '{path}' loaded without a private key; set Security.ServerKeyPath.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var key = security.ServerKeyPath is null ? "(key expected in the same file)" : $"and key '{security.ServerKeyPath}'";
            problems.Add($"Security.ServerCertificatePath '{path}' {key} could not be loaded: {e.Message}");
        }
    }

    private static void ValidateClientAuthentication(BrokerSecurityOptions security, string protocol, List<string> problems)
    {
        if (!Enum.IsDefined(security.ClientAuthentication))
        {
            problems.Add($"Security.ClientAuthentication is {(int)security.ClientAuthentication}; use None, Requested or Required.");
            return;
        }

        if (security.ClientAuthentication == TlsClientAuthentication.None)
        {
            return;
        }

        if (!security.UsesTls)
        {
            problems.Add($"Security.ClientAuthentication is {security.ClientAuthentication}, but Security.Protocol {protocol} has no TLS; use SSL or SASL_SSL.");
        }

        if (security.TrustedClientCertificateAuthorities.Count == 0 && security.TrustedClientCertificateAuthoritiesPath is null)
        {
            problems.Add($"Security.ClientAuthentication is {security.ClientAuthentication}, but no authority is trusted for client certificates; add one to Security.TrustedClientCertificateAuthorities or set Security.TrustedClientCertificateAuthoritiesPath.");
        }

        if (security.TrustedClientCertificateAuthoritiesPath is { } path)
        {
            try
            {
                if (CertificateFiles.LoadAll(path).Count == 0)
                {
                    problems.Add($"Security.TrustedClientCertificateAuthoritiesPath '{path}' holds no PEM certificate.");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                problems.Add($"Security.TrustedClientCertificateAuthoritiesPath '{path}' could not be loaded: {e.Message}");
            }
        }
    }

    private static void ValidateSasl(BrokerSecurityOptions security, string protocol, List<string> problems)
    {
        if (security.SaslMechanisms.Count == 0)
        {
            problems.Add($"Security.Protocol is {protocol} but Security.SaslMechanisms is empty; enable one or more of {string.Join(", ", SaslMechanismNames.Supported)}.");
        }

        foreach (var mechanism in security.SaslMechanisms)
        {
            if (SaslMechanismNames.IsSupported(mechanism))
            {
                continue;
            }

            if (SaslMechanismNames.NotSupported.Contains(mechanism, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"Security.SaslMechanisms has '{mechanism}', which Samsa.Broker does not serve; use {string.Join(", ", SaslMechanismNames.Supported)}.");
            }
            else
            {
                problems.Add($"Security.SaslMechanisms has '{mechanism}', which is not a SASL mechanism Samsa.Broker knows (names are case-sensitive); " + (NearestName.Find(mechanism ?? string.Empty, SaslMechanismNames.Supported) is { } nearest ? $"did you mean '{nearest}'?" : $"use one of {string.Join(", ", SaslMechanismNames.Supported)}."));
            }
        }

        if (security.Users.Count == 0)
        {
            problems.Add($"Security.Protocol is {protocol} but no user is configured; add one with Security.Users.Add(name, password).");
        }
    }
}

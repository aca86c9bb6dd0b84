using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Samsa.Startup;

/// <summary>What the TLS check saw.</summary>
/// <param name="Protocol">The TLS version agreed.</param>
/// <param name="Subject">The broker certificate's subject.</param>
/// <param name="NotAfter">When it expires.</param>
/// <param name="ExpiresSoon">True when that is within the warning window.</param>
internal readonly record struct TlsProbeResult(SslProtocols Protocol, string Subject, DateTimeOffset NotAfter, bool ExpiresSoon);

/// <summary>
/// The TLS start-up check for one broker: a TLS handshake over an open connection, then the broker's certificate is
/// judged as librdkafka would judge it, but with a precise reason: signed by a trusted CA, issued for the host name
/// the client connects to, and in date. A certificate that expires within the warning window passes (the caller
/// logs a warning).
/// </summary>
internal static class BrokerTlsProbe
{
    /// <exception cref="KafkaStartupException">The handshake failed or the certificate is not acceptable.</exception>
    public static async Task<TlsProbeResult> HandshakeAsync(
        Socket socket,
        BrokerAddress broker,
        TlsTrust trust,
        StartupHints hints,
        TimeSpan warningWindow,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        X509Certificate2? remote = null;
        var intermediates = new X509Certificate2Collection();
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            var policy = new X509ChainPolicy { RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true };
            if (trust.Roots is not null)
            {
                policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                policy.CustomTrustStore.AddRange(trust.Roots);
            }

            var options = new SslClientAuthenticationOptions
            {
                TargetHost = broker.Host,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                CertificateChainPolicy = policy,
                ClientCertificates = trust.ClientCertificate is null ? null : [trust.ClientCertificate],

                // Accept whatever comes, keep a copy, and judge it below (Judge) with a reason for every kind of failure:
                // the handshake only gathers the certificate, nothing is sent over this connection.
#pragma warning disable CA5359
                RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
                {
                    if (certificate is not null)
                    {
                        remote = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    }

                    foreach (var element in chain?.ChainElements.Skip(1) ?? [])
                    {
                        intermediates.Add(X509CertificateLoader.LoadCertificate(element.Certificate.RawData));
                    }

                    foreach (var extra in chain?.ChainPolicy.ExtraStore ?? [])
                    {
                        intermediates.Add(X509CertificateLoader.LoadCertificate(extra.RawData));
                    }

                    return true;
                },
#pragma warning restore CA5359
            };

            using (var step = new StepTimeout(timeout, timeProvider, cancellationToken))
            {
                try
                {
                    await tls.AuthenticateAsClientAsync(options, step.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
                {
                    throw BrokerConnectivityProbe.Fail(
                        KafkaStartupCheck.TlsHandshake, broker,
                        $"TLS handshake with broker `{broker}` did not finish within {StartupHints.Limit(timeout, "BrokerConnectTimeout")}: the port accepts TCP " +
                        "connections but does not answer TLS",
                        $"Check that `{broker}` is the broker's TLS listener, and {hints.SecurityProtocolSetting}.",
                        true, exception);
                }
                catch (Exception exception) when (exception is AuthenticationException or IOException)
                {
                    throw BrokerConnectivityProbe.Fail(
                        KafkaStartupCheck.TlsHandshake, broker,
                        $"TLS handshake with broker `{broker}` failed: {Innermost(exception)}",
                        $"If that listener does not use TLS, set {hints.SecurityProtocolSetting}, to PLAINTEXT or SASL_PLAINTEXT; " +
                        "if it does, check the port and the client certificate (`Kafka:SslCertificateLocation`).",
                        false, exception);
                }
            }

            if (remote is null)
            {
                throw BrokerConnectivityProbe.Fail(
                    KafkaStartupCheck.TlsHandshake, broker, $"TLS handshake with broker `{broker}` completed without a server certificate", null, false, null);
            }

            var now = timeProvider.GetUtcNow();
            var notAfter = new DateTimeOffset(remote.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            var notBefore = new DateTimeOffset(remote.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            var subject = remote.Subject;
            if (trust.VerifyCertificate)
            {
                var problems = Judge(remote, intermediates, broker, trust, now, notBefore, notAfter, hints);
                if (problems.Count > 0)
                {
                    throw BrokerConnectivityProbe.Fail(
                        KafkaStartupCheck.TlsHandshake, broker,
                        $"TLS handshake with broker `{broker}`: its certificate `{subject}` (issued by `{remote.Issuer}`) {string.Join("; and it ", problems)}",
                        null, false, null);
                }
            }

            return new TlsProbeResult(tls.SslProtocol, subject, notAfter, notAfter - now <= warningWindow);
        }
        finally
        {
            remote?.Dispose();
            foreach (var certificate in intermediates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>A date as messages show it.</summary>
    internal static string Show(DateTimeOffset moment) => moment.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static List<string> Judge(
        X509Certificate2 remote,
        X509Certificate2Collection intermediates,
        BrokerAddress broker,
        TlsTrust trust,
        DateTimeOffset now,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        StartupHints hints)
    {
        var problems = new List<string>();
        if (notAfter <= now)
        {
            problems.Add($"expired on {Show(notAfter)}: renew the broker's certificate");
        }
        else if (notBefore > now)
        {
            problems.Add($"is not valid before {Show(notBefore)}: check the clocks of this machine and of the CA");
        }

        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
            if (trust.Roots is not null)
            {
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(trust.Roots);
            }

            chain.Build(remote);
            var statuses = chain.ChainStatus
                .Select(s => s.Status)
                .Where(s => s is not (X509ChainStatusFlags.NoError or X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NotTimeNested))
                .Distinct()
                .ToList();
            if (statuses.Any(s => s is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain))
            {
                problems.Add($"is not signed by a CA this client trusts ({string.Join(", ", statuses)}). Check {hints.CaSetting}: it must hold the CA that signed the broker's certificate");
            }
            else if (statuses.Count > 0)
            {
                problems.Add($"does not form a valid chain ({string.Join(", ", statuses)}). Check {hints.CaSetting}");
            }

            var issuerOutOfDate = chain.ChainElements.Skip(1).FirstOrDefault(e => e.Certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime);
            if (issuerOutOfDate is not null)
            {
                problems.Add($"was issued by `{issuerOutOfDate.Certificate.Subject}`, which expired on {Show(new DateTimeOffset(issuerOutOfDate.Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero))}");
            }
        }

        if (trust.VerifyHostName && !remote.MatchesHostname(broker.Host))
        {
            problems.Add($"is not for host `{broker.Host}` (it names {Names(remote)}). Connect with a name the certificate holds ({hints.CheckBootstrap}), " +
                "or have the broker's certificate name this host");
        }

        return problems;
    }

    private static string Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames().Select(n => $"DNS:{n}"));
            names.AddRange(extension.EnumerateIPAddresses().Select(a => $"IP:{a}"));
        }

        if (names.Count == 0)
        {
            names.Add($"CN={certificate.GetNameInfo(X509NameType.SimpleName, false)}");
        }

        return string.Join(", ", names);
    }

    private static string Innermost(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message.TrimEnd('.'));
        }

        return string.Join(": ", messages.Distinct());
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Confluent.Kafka;

namespace Samsa.Startup;

/// <summary>
/// What the TLS check trusts and presents, read from the same admin client configuration librdkafka gets:
/// <c>ssl.ca.location</c> or <c>ssl.ca.pem</c> (else the system's CAs), <c>enable.ssl.certificate.verification</c>,
/// <c>ssl.endpoint.identification.algorithm</c>, and the client certificate for mutual TLS.
/// </summary>
internal sealed class TlsTrust : IDisposable
{
    private const string ProbeCaLocation = "probe";

    private TlsTrust(X509Certificate2Collection? roots, bool verifyCertificate, bool verifyHostName, X509Certificate2? clientCertificate)
    {
        Roots = roots;
        VerifyCertificate = verifyCertificate;
        VerifyHostName = verifyHostName;
        ClientCertificate = clientCertificate;
    }

    /// <summary>The CAs to trust, or null for the system's.</summary>
    public X509Certificate2Collection? Roots { get; }

    /// <summary>False when <c>enable.ssl.certificate.verification</c> is false.</summary>
    public bool VerifyCertificate { get; }

    /// <summary>False when <c>ssl.endpoint.identification.algorithm</c> is none.</summary>
    public bool VerifyHostName { get; }

    /// <summary>The client certificate with its key, for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Reads the trust settings; the files were checked by the options validator, so a failure here is rare.</summary>
    /// <exception cref="KafkaStartupException">A CA or client certificate cannot be read.</exception>
    public static TlsTrust From(AdminClientConfig config)
    {
        X509Certificate2Collection? roots = null;
        X509Certificate2? client = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(config.SslCaPem))
            {
                roots = [];
                roots.ImportFromPem(config.SslCaPem);
            }
            else if (config.SslCaLocation is { Length: > 0 } location && location != ProbeCaLocation)
            {
                roots = [];
                var files = Directory.Exists(location) ? Directory.EnumerateFiles(location) : [location];
                foreach (var file in files)
                {
                    roots.ImportFromPemFile(file);
                }
            }

            if (!string.IsNullOrWhiteSpace(config.SslCertificatePem) && !string.IsNullOrWhiteSpace(config.SslKeyPem))
            {
                client = string.IsNullOrEmpty(config.SslKeyPassword)
                    ? X509Certificate2.CreateFromPem(config.SslCertificatePem, config.SslKeyPem)
                    : X509Certificate2.CreateFromEncryptedPem(config.SslCertificatePem, config.SslKeyPem, config.SslKeyPassword);
            }
            else if (!string.IsNullOrWhiteSpace(config.SslCertificateLocation) && !string.IsNullOrWhiteSpace(config.SslKeyLocation))
            {
                client = string.IsNullOrEmpty(config.SslKeyPassword)
                    ? X509Certificate2.CreateFromPemFile(config.SslCertificateLocation, config.SslKeyLocation)
                    : X509Certificate2.CreateFromEncryptedPemFile(config.SslCertificateLocation, config.SslKeyPassword, config.SslKeyLocation);
            }
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            DisposeAll(roots);
            client?.Dispose();
            throw new KafkaStartupException(
                KafkaStartupCheck.TlsHandshake, null,
                $"{KafkaStartupException.Prefix}the TLS certificates cannot be read: {exception.Message}. Check `Kafka:SslCaLocation` (`KAFKA_SSL_CA_LOCATION`), " +
                "`Kafka:SslCertificateLocation` and `Kafka:SslKeyLocation`: they must be readable PEM files.",
                false, exception);
        }

        return new TlsTrust(
            roots,
            config.EnableSslCertificateVerification ?? true,
            config.SslEndpointIdentificationAlgorithm is not Confluent.Kafka.SslEndpointIdentificationAlgorithm.None,
            client);
    }

    public void Dispose()
    {
        DisposeAll(Roots);
        ClientCertificate?.Dispose();
    }

    private static void DisposeAll(X509Certificate2Collection? certificates)
    {
        foreach (var certificate in certificates ?? [])
        {
            certificate.Dispose();
        }
    }
}

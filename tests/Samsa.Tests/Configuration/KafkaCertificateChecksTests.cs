using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Confluent.Kafka;
using Samsa.Configuration;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Configuration;

public sealed class KafkaCertificateChecksTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("samsa-certs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Check_ValidCaAndClientCertificate_NoIssues()
    {
        var ca = WriteCertificate("ca", Now.AddDays(-10), Now.AddDays(365));
        var (certificate, key) = WriteCertificateAndKey("client", Now.AddDays(-10), Now.AddDays(365));

        Assert.Empty(Validator().Check(Tls(ca, certificate, key)));
    }

    [Fact]
    public void Check_ExpiredCa_ErrorWithDate()
    {
        var ca = WriteCertificate("ca", Now.AddDays(-400), Now.AddDays(-1));

        var issue = Assert.Single(Errors(Tls(ca)));
        Assert.Equal("Kafka:SslCaLocation", issue.Setting);
        Assert.Contains("expired on", issue.Message, StringComparison.Ordinal);
        Assert.Contains("CN=ca", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExpiredClientCertificate_Error()
    {
        var (certificate, key) = WriteCertificateAndKey("client", Now.AddDays(-400), Now.AddDays(-1));

        var issue = Assert.Single(Errors(Tls(null, certificate, key)));
        Assert.Equal("Kafka:SslCertificateLocation", issue.Setting);
        Assert.Contains("expired on", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NotYetValidCertificate_Error()
    {
        var ca = WriteCertificate("ca", Now.AddDays(2), Now.AddDays(400));

        Assert.Contains("is not valid before", Assert.Single(Errors(Tls(ca))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CertificateExpiringSoon_WarningOnly()
    {
        var ca = WriteCertificate("ca", Now.AddDays(-300), Now.AddDays(10));

        var issues = Validator().Check(Tls(ca));

        var warning = Assert.Single(issues);
        Assert.Equal(KafkaConfigurationSeverity.Warning, warning.Severity);
        Assert.Contains("in 10 day(s)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CertificateExpiringAfterWindow_NoWarning()
    {
        var ca = WriteCertificate("ca", Now.AddDays(-300), Now.AddDays(10));

        Assert.Empty(Validator().Check(Tls(ca, configure: o => o.CertificateExpiryWarningDays = 7)));
    }

    [Fact]
    public void Check_MissingFiles_ErrorPerFile()
    {
        var missing = Path.Combine(_directory, "nope.pem");

        var errors = Errors(Tls(missing, missing + ".crt", missing + ".key"));

        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.Contains("does not exist", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_CaNotPem_Error()
    {
        var path = Path.Combine(_directory, "garbage.pem");
        File.WriteAllText(path, "not a certificate");

        Assert.Contains("holds no PEM certificate", Assert.Single(Errors(Tls(path))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CertificateIsDirectory_Error()
    {
        var (_, key) = WriteCertificateAndKey("client", Now.AddDays(-1), Now.AddDays(100));

        Assert.Contains("is a directory", Assert.Single(Errors(Tls(null, _directory, key))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_KeyOfAnotherCertificate_Error()
    {
        var (certificate, _) = WriteCertificateAndKey("client", Now.AddDays(-1), Now.AddDays(100));
        var (_, otherKey) = WriteCertificateAndKey("other", Now.AddDays(-1), Now.AddDays(100));

        Assert.Contains("cannot be loaded together", Assert.Single(Errors(Tls(null, certificate, otherKey))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EncryptedKeyWithPassword_NoIssues()
    {
        var (certificate, key) = WriteCertificateAndKey("client", Now.AddDays(-1), Now.AddDays(100), password: "pw");

        Assert.Empty(Validator().Check(Tls(null, certificate, key, o => o.SslKeyPassword = "pw")));
    }

    [Fact]
    public void Check_EncryptedKeyWrongPassword_Error()
    {
        var (certificate, key) = WriteCertificateAndKey("client", Now.AddDays(-1), Now.AddDays(100), password: "pw");

        Assert.Contains("check `Kafka:SslKeyPassword`", Assert.Single(Errors(Tls(null, certificate, key, o => o.SslKeyPassword = "wrong"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CertificateWithoutKey_Error()
    {
        var (certificate, _) = WriteCertificateAndKey("client", Now.AddDays(-1), Now.AddDays(100));

        Assert.Contains("needs its private key", Assert.Single(Errors(Tls(null, certificate))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TlsFilesWithoutTls_WarningIgnored()
    {
        var options = Development(o => o.SslCaLocation = Path.Combine(_directory, "nope.pem"));

        Assert.Contains("does not use TLS", Assert.Single(Warnings(options)).Message, StringComparison.Ordinal);
        Assert.Empty(Errors(options));
    }

    private static KafkaOptions Tls(string? ca, string? certificate = null, string? key = null, Action<KafkaOptions>? configure = null) =>
        Development(o =>
        {
            o.SecurityProtocol = SecurityProtocol.Ssl;
            o.SslCaLocation = ca;
            o.SslCertificateLocation = certificate;
            o.SslKeyLocation = key;
            configure?.Invoke(o);
        });

    private string WriteCertificate(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256).CreateSelfSigned(notBefore, notAfter);
        var path = Path.Combine(_directory, name + ".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private (string Certificate, string Key) WriteCertificateAndKey(string name, DateTimeOffset notBefore, DateTimeOffset notAfter, string? password = null)
    {
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(notBefore, notAfter);
        var certificatePath = Path.Combine(_directory, name + ".crt");
        var keyPath = Path.Combine(_directory, name + ".key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(
            keyPath,
            password is null
                ? key.ExportPkcs8PrivateKeyPem()
                : key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000)));
        return (certificatePath, keyPath);
    }
}

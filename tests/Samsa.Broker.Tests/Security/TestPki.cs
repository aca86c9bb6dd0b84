using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Samsa.Broker.Tests.Security;

/// <summary>
/// A throwaway PKI made in-test: a trusted CA, an untrusted CA, a server certificate for
/// <c>localhost</c>/<c>127.0.0.1</c>, an expired one, and a client certificate, all ECDSA P-256 (fast to
/// make). Each is also written as PEM to a temporary directory, for librdkafka, kcat and the broker's
/// file settings; the directory is deleted on dispose.
/// </summary>
public sealed class TestPki : IDisposable
{
    public TestPki()
    {
        Directory = Path.Combine(Path.GetTempPath(), "samsa-security-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        var now = TimeProvider.System.GetUtcNow();
        Ca = CreateAuthority("CN=Samsa Test CA", now);
        OtherCa = CreateAuthority("CN=Untrusted Test CA", now);
        (Server, var serverKey) = Issue(Ca, "CN=localhost", now.AddDays(-1), now.AddDays(30), serverAuth: true);
        (ExpiredServer, _) = Issue(Ca, "CN=localhost", now.AddDays(-30), now.AddDays(-1), serverAuth: true);
        (Client, var clientKey) = Issue(Ca, "CN=samsa-client, O=Samsa Tests", now.AddDays(-1), now.AddDays(30), serverAuth: false);

        CaPath = Write("ca.pem", Ca.ExportCertificatePem());
        OtherCaPath = Write("other-ca.pem", OtherCa.ExportCertificatePem());
        ServerCertificatePath = Write("server.pem", Server.ExportCertificatePem());
        ServerKeyPath = Write("server.key", serverKey);
        ClientCertificatePath = Write("client.pem", Client.ExportCertificatePem());
        ClientKeyPath = Write("client.key", clientKey);
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 OtherCa { get; }

    /// <summary>Signed by <see cref="Ca"/>, valid now, SAN localhost and 127.0.0.1, with its private key.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>Like <see cref="Server"/> but expired yesterday.</summary>
    public X509Certificate2 ExpiredServer { get; }

    /// <summary>A client certificate signed by <see cref="Ca"/> (subject CN=samsa-client, O=Samsa Tests).</summary>
    public X509Certificate2 Client { get; }

    public string CaPath { get; }

    public string OtherCaPath { get; }

    public string ServerCertificatePath { get; }

    public string ServerKeyPath { get; }

    public string ClientCertificatePath { get; }

    public string ClientKeyPath { get; }

    public void Dispose()
    {
        foreach (var certificate in new[] { Ca, OtherCa, Server, ExpiredServer, Client })
        {
            certificate.Dispose();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static X509Certificate2 CreateAuthority(string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-60), now.AddDays(365));
    }

    private static (X509Certificate2 Certificate, string KeyPem) Issue(X509Certificate2 issuer, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(issuer, notBefore, notAfter, serial);
        return (issued.CopyWithPrivateKey(key), key.ExportPkcs8PrivateKeyPem());
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, pem);
        return path;
    }
}

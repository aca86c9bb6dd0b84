using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Samsa.Testing.Security;

/// <summary>
/// A throwaway certificate authority made for one cluster: it signs the nodes' server certificate
/// (for <c>localhost</c> and the loopback addresses), and clients trust it through the PEM file at
/// <see cref="CaCertificatePath"/> (<c>ssl.ca.location</c>) or <see cref="CaCertificatePem"/>.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _directory = Directory.CreateTempSubdirectory("samsa-testing-ca-").FullName;

    public TestCertificateAuthority(TimeProvider time)
    {
        var request = new CertificateRequest("CN=Samsa.Testing CA", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        Certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        CaCertificatePem = Certificate.ExportCertificatePem();
        CaCertificatePath = Path.Combine(_directory, "ca.pem");
        File.WriteAllText(CaCertificatePath, CaCertificatePem);
        ServerCertificate = IssueServerCertificate(now);
    }

    public X509Certificate2 Certificate { get; }

    public string CaCertificatePem { get; }

    public string CaCertificatePath { get; }

    /// <summary>The nodes' certificate with its private key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    private X509Certificate2 IssueServerCertificate(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        using var issued = request.Create(Certificate, now.AddDays(-1), now.AddYears(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        Certificate.Dispose();
        _key.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A client may still hold the file open; the temp directory is cleaned later.
        }
    }
}

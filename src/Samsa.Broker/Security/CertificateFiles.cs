using System.Security.Cryptography.X509Certificates;

namespace Samsa.Broker.Security;

/// <summary>Reads PEM certificate and key files.</summary>
internal static class CertificateFiles
{
    /// <summary>
    /// The first certificate of <paramref name="certificatePath"/> with its private key (from
    /// <paramref name="keyPath"/>, or from the same file when null), and the certificates after it as intermediates.
    /// Throws <see cref="System.Security.Cryptography.CryptographicException"/> or <see cref="IOException"/> with the reason.
    /// </summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Intermediates) LoadServerCertificate(string certificatePath, string? keyPath)
    {
        var leaf = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        var all = LoadAll(certificatePath);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all.Skip(1))
        {
            intermediates.Add(certificate);
        }

        return (leaf, intermediates);
    }

    /// <summary>Every certificate in a PEM file.</summary>
    public static X509Certificate2Collection LoadAll(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Samsa.Broker.Security;

/// <summary>The hash behind a SCRAM mechanism (RFC 5802 §2.2 H, HMAC and Hi; RFC 7677 for SHA-256).</summary>
internal sealed class ScramMechanism
{
    public static readonly ScramMechanism Sha256 = new(SaslMechanismNames.ScramSha256, 1, HashAlgorithmName.SHA256, 32);
    public static readonly ScramMechanism Sha512 = new(SaslMechanismNames.ScramSha512, 2, HashAlgorithmName.SHA512, 64);

    private ScramMechanism(string name, sbyte type, HashAlgorithmName hash, int hashSize)
    {
        Name = name;
        Type = type;
        Hash = hash;
        HashSize = hashSize;
    }

    public string Name { get; }

    /// <summary>The mechanism's number in the SCRAM credential APIs (KIP-554): 1 for SHA-256, 2 for SHA-512; 0 is unknown.</summary>
    public sbyte Type { get; }

    public HashAlgorithmName Hash { get; }

    /// <summary>Bytes of a digest, of a key and of a proof.</summary>
    public int HashSize { get; }

    public static ScramMechanism? FromName(string name) => name switch
    {
        SaslMechanismNames.ScramSha256 => Sha256,
        SaslMechanismNames.ScramSha512 => Sha512,
        _ => null,
    };

    /// <summary>The mechanism numbered <paramref name="type"/> in the SCRAM credential APIs, or null when there is none.</summary>
    public static ScramMechanism? FromType(sbyte type) => type switch
    {
        1 => Sha256,
        2 => Sha512,
        _ => null,
    };

    public byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => CryptographicOperations.HmacData(Hash, key, data);

    public byte[] Digest(ReadOnlySpan<byte> data) => CryptographicOperations.HashData(Hash, data);

    /// <summary>Hi(Normalize(password), salt, i): PBKDF2 with this hash. The password is taken as UTF-8 without SASLprep, as Kafka and its clients do.</summary>
    public byte[] SaltedPassword(string password, ReadOnlySpan<byte> salt, int iterations)
    {
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, Hash, HashSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public override string ToString() => Name;
}

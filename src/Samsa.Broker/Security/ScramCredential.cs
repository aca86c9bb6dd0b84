using System.Security.Cryptography;

namespace Samsa.Broker.Security;

/// <summary>
/// What the server keeps of a password for one SCRAM mechanism (RFC 5802 §3): salt, iteration count,
/// StoredKey = H(ClientKey) and ServerKey. Neither the password nor the salted password can be read back.
/// </summary>
internal sealed class ScramCredential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
{
    public byte[] Salt { get; } = salt;

    public int Iterations { get; } = iterations;

    public byte[] StoredKey { get; } = storedKey;

    public byte[] ServerKey { get; } = serverKey;

    public static ScramCredential Derive(ScramMechanism mechanism, string password, byte[] salt, int iterations)
    {
        var salted = mechanism.SaltedPassword(password, salt, iterations);
        try
        {
            return FromSaltedPassword(mechanism, salted, salt, iterations);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(salted);
        }
    }

    /// <summary>
    /// The credential for a password a client already salted (AlterUserScramCredentials sends
    /// Hi(password, salt, iterations), never the password): StoredKey and ServerKey follow from it.
    /// </summary>
    public static ScramCredential FromSaltedPassword(ScramMechanism mechanism, ReadOnlySpan<byte> salted, byte[] salt, int iterations)
    {
        var clientKey = mechanism.Hmac(salted, "Client Key"u8);
        try
        {
            return new ScramCredential(salt, iterations, mechanism.Digest(clientKey), mechanism.Hmac(salted, "Server Key"u8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clientKey);
        }
    }

    /// <summary>True when <paramref name="password"/> derives this credential's StoredKey; compared in constant time.</summary>
    public bool Matches(ScramMechanism mechanism, string password)
    {
        var candidate = Derive(mechanism, password, Salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(candidate.StoredKey, StoredKey);
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Samsa.Broker.Tests.Security;

/// <summary>The client side of SCRAM (RFC 5802), written from the RFC for the tests, independent of the broker's code.</summary>
internal sealed class ScramTestClient(string mechanism, string user, string password, string? clientNonce = null)
{
    private readonly HashAlgorithmName _hash = mechanism == "SCRAM-SHA-512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
    private readonly string _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    private string _clientFirstBare = string.Empty;
    private byte[] _expectedServerSignature = [];

    public byte[] ClientFirst()
    {
        _clientFirstBare = "n=" + user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal) + ",r=" + _clientNonce;
        return Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
    }

    /// <param name="repeatClientNonce">Send the nonce as librdkafka before 2.6 does: its own nonce again in front of the server's.</param>
    public byte[] ClientFinal(byte[] serverFirstBytes, bool repeatClientNonce = false)
    {
        var serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        var attributes = serverFirst.Split(',').ToDictionary(a => a[..1], a => a[2..], StringComparer.Ordinal);
        var nonce = attributes["r"];
        Assert.StartsWith(_clientNonce, nonce, StringComparison.Ordinal);
        var size = _hash == HashAlgorithmName.SHA512 ? 64 : 32;
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(attributes["s"]), int.Parse(attributes["i"]), _hash, size);
        var clientKey = CryptographicOperations.HmacData(_hash, salted, "Client Key"u8);
        var storedKey = CryptographicOperations.HashData(_hash, clientKey);
        var withoutProof = "c=biws,r=" + (repeatClientNonce ? _clientNonce : string.Empty) + nonce;
        var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + serverFirst + "," + withoutProof);
        var signature = CryptographicOperations.HmacData(_hash, storedKey, authMessage);
        var proof = clientKey.Zip(signature, (k, s) => (byte)(k ^ s)).ToArray();
        _expectedServerSignature = CryptographicOperations.HmacData(_hash, CryptographicOperations.HmacData(_hash, salted, "Server Key"u8), authMessage);
        return Encoding.UTF8.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(proof));
    }

    /// <summary>True when the server-final message proves the server knew the credential.</summary>
    public bool VerifyServerFinal(byte[] serverFinal) =>
        Encoding.UTF8.GetString(serverFinal) == "v=" + Convert.ToBase64String(_expectedServerSignature);
}

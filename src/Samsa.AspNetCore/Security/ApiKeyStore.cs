using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Samsa.AspNetCore.Security;

/// <summary>
/// The configured API keys, kept as SHA-256 digests and compared in fixed time, so neither a timing difference nor a
/// memory dump of this object gives a key away. Builds the principal a matching key signs in as.
/// </summary>
internal sealed class ApiKeyStore
{
    private readonly (string Name, byte[] Digest, string[] Scopes)[] _keys;

    public ApiKeyStore(IOptions<OperationsSecurityOptions> options)
    {
        _keys = [.. options.Value.ApiKeys.Select(pair => (pair.Key, Digest(pair.Value.Key), pair.Value.Scopes.Distinct(StringComparer.Ordinal).ToArray()))];
    }

    /// <summary>True when no key is configured (the surface is open: Development only, see the validator).</summary>
    public bool IsEmpty => _keys.Length == 0;

    /// <summary>The principal of <paramref name="presented"/>, or null when it matches no key.</summary>
    public ClaimsPrincipal? Authenticate(string presented, string authenticationType)
    {
        var digest = Digest(presented);
        (string Name, byte[] Digest, string[] Scopes)? match = null;
        foreach (var key in _keys)
        {
            // Every key is compared, whatever matched, so the time taken does not say which one did.
            if (CryptographicOperations.FixedTimeEquals(key.Digest, digest))
            {
                match = key;
            }
        }

        if (match is not { } found)
        {
            return null;
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, found.Name) };
        claims.AddRange(found.Scopes.Select(scope => new Claim(OperationsScopes.ClaimType, scope)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

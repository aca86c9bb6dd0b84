using System.Collections;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Samsa.Broker.Security;

/// <summary>
/// The SASL users of a broker, by name. Only derived SCRAM credentials are stored (salt, iteration
/// count, StoredKey and ServerKey per mechanism, as Kafka keeps them); a password is used once, when
/// its user is added, and then dropped. PLAIN logins are checked against the same credentials.
/// Enumerating yields the user names. Safe to change while the broker runs.
/// </summary>
public sealed class BrokerUserCollection : IEnumerable<string>
{
    /// <summary>Per-process secret behind the decoy salts of unknown users, so a name that does not exist looks like one that does.</summary>
    private static readonly byte[] s_decoySecret = RandomNumberGenerator.GetBytes(32);

    private readonly ConcurrentDictionary<string, UserCredentials> _users = new(StringComparer.Ordinal);

    public int Count => _users.Count;

    /// <summary>Adds <paramref name="name"/>, or replaces its password, deriving its SCRAM credentials now.</summary>
    public void Add(string name, string password) =>
        Add(name, password, RandomNumberGenerator.GetBytes(SecurityDefaults.ScramSaltLength), RandomNumberGenerator.GetBytes(SecurityDefaults.ScramSaltLength));

    /// <summary>Adds a user with given salts (tests replay published SCRAM examples with it).</summary>
    internal void Add(string name, string password, byte[] sha256Salt, byte[] sha512Salt)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(password);
        _users[name] = new UserCredentials(
            ScramCredential.Derive(ScramMechanism.Sha256, password, sha256Salt, SecurityDefaults.ScramIterations),
            ScramCredential.Derive(ScramMechanism.Sha512, password, sha512Salt, SecurityDefaults.ScramIterations));
    }

    public bool Remove(string name) => _users.TryRemove(name, out _);

    public bool Contains(string name) => _users.ContainsKey(name);

    public IEnumerator<string> GetEnumerator() => _users.Keys.Order(StringComparer.Ordinal).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// The credential of <paramref name="name"/> for <paramref name="mechanism"/>. For an unknown name,
    /// a decoy with a stable salt per name, so the exchange runs the same way and fails at the proof.
    /// </summary>
    internal ScramCredential FindOrDecoy(string name, ScramMechanism mechanism, out bool known)
    {
        if (_users.TryGetValue(name, out var user))
        {
            known = true;
            return mechanism == ScramMechanism.Sha512 ? user.Sha512 : user.Sha256;
        }

        known = false;
        var salt = HMACSHA256.HashData(s_decoySecret, Encoding.UTF8.GetBytes(mechanism.Name + "\0" + name));
        return new ScramCredential(salt, SecurityDefaults.ScramIterations, RandomNumberGenerator.GetBytes(mechanism.HashSize), RandomNumberGenerator.GetBytes(mechanism.HashSize));
    }

    /// <summary>Checks a PLAIN login: derives the candidate's StoredKey and compares in constant time. Unknown names cost the same.</summary>
    internal bool VerifyPassword(string name, string password)
    {
        var credential = FindOrDecoy(name, ScramMechanism.Sha256, out var known);
        return credential.Matches(ScramMechanism.Sha256, password) & known;
    }

    private sealed record UserCredentials(ScramCredential Sha256, ScramCredential Sha512);
}

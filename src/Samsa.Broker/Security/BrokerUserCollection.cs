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

    // Changes of one user's credentials are read-modify-write; one gate keeps them whole. Reads take no lock.
    private readonly object _gate = new();

    /// <summary>How many users have at least one credential.</summary>
    public int Count => _users.Count;

    /// <summary>Adds <paramref name="name"/>, or replaces its password, deriving its SCRAM credentials now.</summary>
    public void Add(string name, string password) =>
        Add(name, password, RandomNumberGenerator.GetBytes(SecurityDefaults.ScramSaltLength), RandomNumberGenerator.GetBytes(SecurityDefaults.ScramSaltLength));

    /// <summary>Adds a user with given salts (tests replay published SCRAM examples with it).</summary>
    internal void Add(string name, string password, byte[] sha256Salt, byte[] sha512Salt)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var credentials = new UserCredentials(
            ScramCredential.Derive(ScramMechanism.Sha256, password, sha256Salt, SecurityDefaults.ScramIterations),
            ScramCredential.Derive(ScramMechanism.Sha512, password, sha512Salt, SecurityDefaults.ScramIterations));
        lock (_gate)
        {
            _users[name] = credentials;
        }
    }

    /// <summary>Removes <paramref name="name"/> with every credential it has, so its logins fail from now on; false when there was no such user.</summary>
    public bool Remove(string name)
    {
        lock (_gate)
        {
            return _users.TryRemove(name, out _);
        }
    }

    /// <summary>Whether <paramref name="name"/> has a credential for at least one mechanism.</summary>
    public bool Contains(string name) => _users.ContainsKey(name);

    /// <summary>The user names, in ordinal order.</summary>
    public IEnumerator<string> GetEnumerator() => _users.Keys.Order(StringComparer.Ordinal).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The credential of <paramref name="name"/> for <paramref name="mechanism"/>, or null when it has none.</summary>
    internal ScramCredential? Find(string name, ScramMechanism mechanism) =>
        _users.TryGetValue(name, out var user) ? user.For(mechanism) : null;

    /// <summary>Sets (adds or replaces) one mechanism's credential of <paramref name="name"/>, leaving the other as it is.</summary>
    internal void Set(string name, ScramMechanism mechanism, ScramCredential credential)
    {
        lock (_gate)
        {
            var current = _users.TryGetValue(name, out var user) ? user : new UserCredentials(null, null);
            _users[name] = current.With(mechanism, credential);
        }
    }

    /// <summary>Removes one mechanism's credential of <paramref name="name"/>; a user left with none is gone. False when there was none.</summary>
    internal bool Remove(string name, ScramMechanism mechanism)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(name, out var user) || user.For(mechanism) is null)
            {
                return false;
            }

            var left = user.With(mechanism, null);
            if (left.Sha256 is null && left.Sha512 is null)
            {
                _users.TryRemove(name, out _);
            }
            else
            {
                _users[name] = left;
            }

            return true;
        }
    }

    /// <summary>
    /// The credential of <paramref name="name"/> for <paramref name="mechanism"/>. For an unknown name
    /// (or a user without this mechanism), a decoy with a stable salt per name, so the exchange runs
    /// the same way and fails at the proof.
    /// </summary>
    internal ScramCredential FindOrDecoy(string name, ScramMechanism mechanism, out bool known)
    {
        if (Find(name, mechanism) is { } credential)
        {
            known = true;
            return credential;
        }

        known = false;
        var salt = HMACSHA256.HashData(s_decoySecret, Encoding.UTF8.GetBytes(mechanism.Name + "\0" + name));
        return new ScramCredential(salt, SecurityDefaults.ScramIterations, RandomNumberGenerator.GetBytes(mechanism.HashSize), RandomNumberGenerator.GetBytes(mechanism.HashSize));
    }

    /// <summary>
    /// Checks a PLAIN login: derives the candidate's StoredKey with the user's SHA-256 credential (its
    /// SHA-512 one when that is all it has) and compares in constant time. Unknown names cost the same.
    /// </summary>
    internal bool VerifyPassword(string name, string password)
    {
        var mechanism = Find(name, ScramMechanism.Sha256) is null && Find(name, ScramMechanism.Sha512) is not null ? ScramMechanism.Sha512 : ScramMechanism.Sha256;
        var credential = FindOrDecoy(name, mechanism, out var known);
        return credential.Matches(mechanism, password) & known;
    }

    private sealed record UserCredentials(ScramCredential? Sha256, ScramCredential? Sha512)
    {
        public ScramCredential? For(ScramMechanism mechanism) => mechanism == ScramMechanism.Sha512 ? Sha512 : Sha256;

        public UserCredentials With(ScramMechanism mechanism, ScramCredential? credential) =>
            mechanism == ScramMechanism.Sha512 ? this with { Sha512 = credential } : this with { Sha256 = credential };
    }
}

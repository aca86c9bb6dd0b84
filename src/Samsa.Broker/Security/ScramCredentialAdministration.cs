using Samsa.Protocol;

namespace Samsa.Broker.Security;

/// <summary>
/// SCRAM users managed at run time (KIP-554), with the rules of Kafka's ScramControlManager: a request
/// changes each user at most once (a second deletion or upsertion of the same name is
/// DUPLICATE_RESOURCE for that user), upsertions need 4096 to 16384 iterations (UNACCEPTABLE_CREDENTIAL),
/// deleting a credential that does not exist is RESOURCE_NOT_FOUND, and an unknown mechanism is
/// UNSUPPORTED_SASL_MECHANISM. Accepted changes are written to <see cref="ScramCredentialStore"/>
/// before they apply to <see cref="BrokerUserCollection"/>, which the SASL authenticators read.
/// Changes are serialized by one gate; the store's file is replayed over the configured users at start.
/// </summary>
internal sealed class ScramCredentialAdministration
{
    /// <summary>Kafka's upper bound on SCRAM iterations (ScramControlManager.MAX_ITERATIONS).</summary>
    public const int MaxIterations = 16384;

    /// <summary>Kafka's lower bound for both SHA-256 and SHA-512 (ScramMechanism.minIterations).</summary>
    public const int MinIterations = 4096;

    private readonly object _gate = new();
    private readonly BrokerUserCollection _users;
    private readonly ScramCredentialStore? _store;
    private readonly Dictionary<(string User, string Mechanism), SavedScramCredential> _changes = [];

    public ScramCredentialAdministration(BrokerUserCollection users, ScramCredentialStore? store)
    {
        _users = users;
        _store = store;
        foreach (var saved in store?.Load() ?? [])
        {
            var mechanism = ScramMechanism.FromName(saved.Mechanism)
                ?? throw new InvalidDataException($"{ScramCredentialStore.FileName} names an unknown SCRAM mechanism '{saved.Mechanism}' for user '{saved.User}'.");
            _changes[(saved.User, saved.Mechanism)] = saved;
            Apply(saved, mechanism);
        }
    }

    /// <summary>The users the listeners authenticate against.</summary>
    public BrokerUserCollection Users => _users;

    /// <summary>Applies the request's deletions and upsertions; one result per user named, successes first.</summary>
    public IReadOnlyList<UserResult> Alter(IReadOnlyList<Deletion> deletions, IReadOnlyList<Upsertion> upsertions)
    {
        lock (_gate)
        {
            var errors = new Dictionary<string, (ErrorCode, string)>(StringComparer.Ordinal);
            var deleting = new Dictionary<string, (Deletion Request, ScramMechanism Mechanism)>(StringComparer.Ordinal);
            var upserting = new Dictionary<string, (Upsertion Request, ScramMechanism Mechanism)>(StringComparer.Ordinal);
            foreach (var deletion in deletions)
            {
                if (errors.ContainsKey(deletion.User))
                {
                    continue;
                }

                if (deleting.Remove(deletion.User))
                {
                    errors[deletion.User] = Duplicate;
                }
                else if (Validate(deletion.User, deletion.Mechanism, out var mechanism) is { } invalid)
                {
                    errors[deletion.User] = invalid;
                }
                else if (_users.Find(deletion.User, mechanism!) is null)
                {
                    errors[deletion.User] = (ErrorCode.ResourceNotFound, "Attempt to delete a user credential that does not exist");
                }
                else
                {
                    deleting[deletion.User] = (deletion, mechanism!);
                }
            }

            foreach (var upsertion in upsertions)
            {
                if (errors.ContainsKey(upsertion.User))
                {
                    continue;
                }

                if (deleting.Remove(upsertion.User) | upserting.Remove(upsertion.User))
                {
                    errors[upsertion.User] = Duplicate;
                }
                else if (ValidateUpsertion(upsertion, out var mechanism) is { } invalid)
                {
                    errors[upsertion.User] = invalid;
                }
                else
                {
                    upserting[upsertion.User] = (upsertion, mechanism!);
                }
            }

            var changes = deleting.Values
                .Select(d => new SavedScramCredential(d.Request.User, d.Mechanism.Name, Removed: true, null, 0, null, null))
                .Concat(upserting.Values.Select(u => Saved(u.Request, u.Mechanism)))
                .ToList();
            if (changes.Count > 0)
            {
                var next = new Dictionary<(string, string), SavedScramCredential>(_changes);
                foreach (var change in changes)
                {
                    next[(change.User, change.Mechanism)] = change;
                }

                _store?.Save(next.Values.OrderBy(c => c.User, StringComparer.Ordinal).ThenBy(c => c.Mechanism, StringComparer.Ordinal));
                foreach (var change in changes)
                {
                    _changes[(change.User, change.Mechanism)] = change;
                    Apply(change, ScramMechanism.FromName(change.Mechanism)!);
                }
            }

            return deleting.Keys.Concat(upserting.Keys)
                .Select(user => new UserResult(user, ErrorCode.None, null))
                .Concat(errors.Select(e => new UserResult(e.Key, e.Value.Item1, e.Value.Item2)))
                .ToList();
        }
    }

    /// <summary>
    /// The mechanisms and iterations of the named users (every user when <paramref name="users"/> is
    /// null or empty), as Kafka's ScramImage describes them: a user named twice is DUPLICATE_RESOURCE,
    /// one without credentials RESOURCE_NOT_FOUND.
    /// </summary>
    public IReadOnlyList<UserDescription> Describe(IReadOnlyList<string>? users)
    {
        var named = users is null || users.Count == 0
            ? _users.Select(u => (User: u, Duplicate: false)).ToList()
            : users.GroupBy(u => u, StringComparer.Ordinal).Select(g => (User: g.Key, Duplicate: g.Count() > 1)).ToList();
        return named.OrderBy(n => n.User, StringComparer.Ordinal).Select(n =>
        {
            if (n.Duplicate)
            {
                return new UserDescription(n.User, ErrorCode.DuplicateResource, "Cannot describe SCRAM credentials for the same user twice in a single request: " + n.User, []);
            }

            var credentials = new[] { ScramMechanism.Sha256, ScramMechanism.Sha512 }
                .Select(m => (Mechanism: m, Credential: _users.Find(n.User, m)))
                .Where(c => c.Credential is not null)
                .Select(c => new CredentialInfo(c.Mechanism, c.Credential!.Iterations))
                .ToList();
            return credentials.Count == 0
                ? new UserDescription(n.User, ErrorCode.ResourceNotFound, "Attempt to describe a user credential that does not exist: " + n.User, [])
                : new UserDescription(n.User, ErrorCode.None, null, credentials);
        }).ToList();
    }

    private static (ErrorCode, string) Duplicate => (ErrorCode.DuplicateResource, "A user credential cannot be altered twice in the same request");

    private static (ErrorCode, string)? Validate(string user, sbyte type, out ScramMechanism? mechanism)
    {
        mechanism = ScramMechanism.FromType(type);
        return user.Length == 0 ? (ErrorCode.UnacceptableCredential, "Username must not be empty")
            : mechanism is null ? (ErrorCode.UnsupportedSaslMechanism, "Unknown SCRAM mechanism")
            : null;
    }

    private static (ErrorCode, string)? ValidateUpsertion(Upsertion upsertion, out ScramMechanism? mechanism) =>
        Validate(upsertion.User, upsertion.Mechanism, out mechanism) is { } invalid ? invalid
        : upsertion.Iterations < MinIterations ? (ErrorCode.UnacceptableCredential, "Too few iterations")
        : upsertion.Iterations > MaxIterations ? (ErrorCode.UnacceptableCredential, "Too many iterations")
        : upsertion.Salt.Length == 0 || upsertion.SaltedPassword.Length == 0 ? (ErrorCode.UnacceptableCredential, "Salt and salted password must not be empty")
        : null;

    private static SavedScramCredential Saved(Upsertion upsertion, ScramMechanism mechanism)
    {
        var credential = ScramCredential.FromSaltedPassword(mechanism, upsertion.SaltedPassword, upsertion.Salt, upsertion.Iterations);
        return new SavedScramCredential(upsertion.User, mechanism.Name, Removed: false, credential.Salt, credential.Iterations, credential.StoredKey, credential.ServerKey);
    }

    private void Apply(SavedScramCredential change, ScramMechanism mechanism)
    {
        if (change.Removed)
        {
            _users.Remove(change.User, mechanism);
        }
        else
        {
            _users.Set(change.User, mechanism, new ScramCredential(change.Salt!, change.Iterations, change.StoredKey!, change.ServerKey!));
        }
    }

    /// <summary>Remove <see cref="User"/>'s credential for the mechanism numbered <see cref="Mechanism"/>.</summary>
    public sealed record Deletion(string User, sbyte Mechanism);

    /// <summary>Set <see cref="User"/>'s credential for the mechanism numbered <see cref="Mechanism"/> from a client-salted password.</summary>
    public sealed record Upsertion(string User, sbyte Mechanism, int Iterations, byte[] Salt, byte[] SaltedPassword);

    /// <summary>What became of one user's change.</summary>
    public sealed record UserResult(string User, ErrorCode Error, string? Message);

    /// <summary>One user's credentials (mechanism and iterations only), or why there are none.</summary>
    public sealed record UserDescription(string User, ErrorCode Error, string? Message, IReadOnlyList<CredentialInfo> Credentials);

    /// <summary>A mechanism a user has a credential for, and that credential's iterations.</summary>
    public sealed record CredentialInfo(ScramMechanism Mechanism, int Iterations);
}

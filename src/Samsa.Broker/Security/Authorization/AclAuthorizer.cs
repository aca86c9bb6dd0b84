using System.Collections.Immutable;

namespace Samsa.Broker.Security.Authorization;

/// <summary>
/// Kafka's standard authorizer: a request's principal may do an operation on a resource when a
/// super user, or when an ALLOW ACL matches and no DENY ACL does (deny wins). An ACL matches by
/// resource (literal name, the literal wildcard <c>*</c>, or a prefix), principal (or <c>User:*</c>),
/// host (or <c>*</c>) and operation (or ALL); an ALLOW of READ, WRITE, DELETE or ALTER also allows
/// DESCRIBE, and one of ALTER_CONFIGS allows DESCRIBE_CONFIGS. A resource no ACL names at all is
/// open only with <c>allow.everyone.if.no.acl.found</c>.
/// The ACL set is immutable and swapped whole on each change, so checks take no lock; changes are
/// serialized and written to <see cref="AclStore"/> before they are visible.
/// </summary>
internal sealed class AclAuthorizer
{
    private readonly object _gate = new();
    private readonly ImmutableHashSet<string> _superUsers;
    private readonly bool _allowEveryoneIfNoAclFound;
    private readonly AclStore? _store;
    private ImmutableArray<AclBinding> _acls;

    public AclAuthorizer(IEnumerable<string> superUsers, bool allowEveryoneIfNoAclFound, AclStore? store)
    {
        _superUsers = superUsers.ToImmutableHashSet(StringComparer.Ordinal);
        _allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
        _store = store;
        _acls = store?.Load().ToImmutableArray() ?? [];
    }

    /// <summary>Every ACL, in the order they were created.</summary>
    public IReadOnlyList<AclBinding> Acls => _acls;

    public bool IsSuperUser(string principal) => _superUsers.Contains(principal);

    /// <summary>Whether <paramref name="principal"/> connecting from <paramref name="host"/> may do <paramref name="operation"/> on the named resource.</summary>
    public bool Authorize(string principal, string host, AclOperation operation, AclResourceType type, string name)
    {
        if (_superUsers.Contains(principal))
        {
            return true;
        }

        var resourceHasAcls = false;
        var allowed = false;
        foreach (var acl in _acls)
        {
            if (acl.ResourceType != type || !acl.Covers(name))
            {
                continue;
            }

            resourceHasAcls = true;
            switch (Applies(acl, principal, host, operation))
            {
                case AclPermissionType.Deny:
                    return false;
                case AclPermissionType.Allow:
                    allowed = true;
                    break;
            }
        }

        return allowed || (!resourceHasAcls && _allowEveryoneIfNoAclFound);
    }

    /// <summary>Whether <paramref name="principal"/> may do <paramref name="operation"/> on at least one resource of <paramref name="type"/> (Kafka's authorizeByResourceType, used for idempotent writes and transactional ids).</summary>
    public bool AuthorizeAny(string principal, string host, AclOperation operation, AclResourceType type)
    {
        if (_superUsers.Contains(principal))
        {
            return true;
        }

        // An allowing ACL counts unless a deny covers everything it grants (a literal deny on the
        // same name, or a deny on a prefix of it or the wildcard).
        var denies = _acls.Where(a => a.ResourceType == type && Applies(a, principal, host, operation) == AclPermissionType.Deny).ToList();
        foreach (var acl in _acls)
        {
            if (acl.ResourceType != type || Applies(acl, principal, host, operation) != AclPermissionType.Allow)
            {
                continue;
            }

            var shadowed = denies.Any(d => d.Covers(acl.ResourceName) && (d.PatternType == AclPatternType.Prefixed || d.ResourceName == AclBinding.Wildcard || acl.PatternType == AclPatternType.Literal));
            if (!shadowed)
            {
                return true;
            }
        }

        return _allowEveryoneIfNoAclFound && !_acls.Any(a => a.ResourceType == type);
    }

    /// <summary>Adds ACLs; one error message (null for success) per binding, in order. An ACL already there is not added twice.</summary>
    public IReadOnlyList<string?> Create(IReadOnlyList<AclBinding> bindings)
    {
        var errors = new string?[bindings.Count];
        lock (_gate)
        {
            var builder = _acls.ToBuilder();
            for (var i = 0; i < bindings.Count; i++)
            {
                errors[i] = bindings[i].Validate();
                if (errors[i] is null && !builder.Contains(bindings[i]))
                {
                    builder.Add(bindings[i]);
                }
            }

            Commit(builder.ToImmutable());
        }

        return errors;
    }

    /// <summary>The ACLs <paramref name="filter"/> matches.</summary>
    public IReadOnlyList<AclBinding> Describe(AclBindingFilter filter) => _acls.Where(filter.Matches).ToList();

    /// <summary>Removes the ACLs each filter matches; per filter, the ACLs it removed.</summary>
    public IReadOnlyList<IReadOnlyList<AclBinding>> Delete(IReadOnlyList<AclBindingFilter> filters)
    {
        lock (_gate)
        {
            var current = _acls;
            var results = filters.Select(f => (IReadOnlyList<AclBinding>)current.Where(f.Matches).ToList()).ToList();
            var removed = results.SelectMany(r => r).ToHashSet();
            if (removed.Count > 0)
            {
                Commit(current.RemoveAll(removed.Contains));
            }

            return results;
        }
    }

    private void Commit(ImmutableArray<AclBinding> acls)
    {
        if (acls == _acls)
        {
            return;
        }

        _store?.Save(acls);
        _acls = acls;
    }

    /// <summary>Allow or Deny when <paramref name="acl"/> (whose resource matches) applies to the request, else Unknown.</summary>
    private static AclPermissionType Applies(AclBinding acl, string principal, string host, AclOperation operation)
    {
        if (acl.Principal != principal && acl.Principal != AclBinding.WildcardPrincipal)
        {
            return AclPermissionType.Unknown;
        }

        if (acl.Host != AclBinding.Wildcard && acl.Host != host)
        {
            return AclPermissionType.Unknown;
        }

        if (acl.Operation != AclOperation.All)
        {
            // Implied operations count for ALLOW only: denying READ does not deny DESCRIBE.
            var matches = acl.Permission == AclPermissionType.Allow
                ? operation switch
                {
                    AclOperation.Describe => acl.Operation is AclOperation.Describe or AclOperation.Read or AclOperation.Write or AclOperation.Delete or AclOperation.Alter,
                    AclOperation.DescribeConfigs => acl.Operation is AclOperation.DescribeConfigs or AclOperation.AlterConfigs,
                    _ => acl.Operation == operation,
                }
                : acl.Operation == operation;
            if (!matches)
            {
                return AclPermissionType.Unknown;
            }
        }

        return acl.Permission;
    }
}

namespace Samsa.Broker.Security.Authorization;

/// <summary>
/// Which ACLs DescribeAcls and DeleteAcls act on, as Kafka matches them: Any (or null) fields match
/// everything; pattern type Match takes every ACL that applies to the named resource (its literal
/// name, the wildcard, and prefixes of it).
/// </summary>
internal sealed record AclBindingFilter(
    AclResourceType ResourceType,
    string? ResourceName,
    AclPatternType PatternType,
    string? Principal,
    string? Host,
    AclOperation Operation,
    AclPermissionType Permission)
{
    public bool Matches(AclBinding acl)
    {
        if (ResourceType != AclResourceType.Any && ResourceType != acl.ResourceType)
        {
            return false;
        }

        if (PatternType is not (AclPatternType.Any or AclPatternType.Match) && PatternType != acl.PatternType)
        {
            return false;
        }

        if (ResourceName is not null)
        {
            var nameMatches = PatternType is AclPatternType.Any || PatternType == acl.PatternType
                ? ResourceName == acl.ResourceName
                : acl.Covers(ResourceName);
            if (!nameMatches)
            {
                return false;
            }
        }

        return (Principal is null || Principal == acl.Principal)
            && (Host is null || Host == acl.Host)
            && (Operation == AclOperation.Any || Operation == acl.Operation)
            && (Permission == AclPermissionType.Any || Permission == acl.Permission);
    }

    /// <summary>Null when the filter can be used, else why not (Kafka refuses Unknown fields).</summary>
    public string? Validate()
    {
        if (ResourceType == AclResourceType.Unknown)
        {
            return "Invalid resource type UNKNOWN in the filter";
        }

        if (PatternType == AclPatternType.Unknown)
        {
            return "Invalid pattern type UNKNOWN in the filter";
        }

        if (Operation == AclOperation.Unknown)
        {
            return "Invalid operation UNKNOWN in the filter";
        }

        return Permission == AclPermissionType.Unknown ? "Invalid permission type UNKNOWN in the filter" : null;
    }
}

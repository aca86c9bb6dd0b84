namespace Samsa.Broker.Security.Authorization;

/// <summary>
/// One ACL: a resource pattern (type, name, literal or prefixed; the literal name <c>*</c> matches
/// every resource of the type) and an entry (principal, host, operation, allow or deny).
/// </summary>
internal sealed record AclBinding(
    AclResourceType ResourceType,
    string ResourceName,
    AclPatternType PatternType,
    string Principal,
    string Host,
    AclOperation Operation,
    AclPermissionType Permission)
{
    /// <summary>The name that matches every resource (literal) and every principal or host.</summary>
    public const string Wildcard = "*";

    /// <summary>The principal that stands for every user.</summary>
    public const string WildcardPrincipal = "User:*";

    /// <summary>Whether this ACL's pattern covers the resource <paramref name="name"/> of its type.</summary>
    public bool Covers(string name) => PatternType switch
    {
        AclPatternType.Literal => ResourceName == name || ResourceName == Wildcard,
        AclPatternType.Prefixed => name.StartsWith(ResourceName, StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>Null when Kafka would store this ACL, else why it refuses it (INVALID_REQUEST).</summary>
    public string? Validate()
    {
        if (ResourceType is AclResourceType.Unknown or AclResourceType.Any)
        {
            return $"Invalid resource type {ResourceType}";
        }

        if (PatternType is not (AclPatternType.Literal or AclPatternType.Prefixed))
        {
            return $"Invalid patternType {PatternType}";
        }

        if (Operation is AclOperation.Unknown or AclOperation.Any)
        {
            return $"Invalid operation {Operation}";
        }

        if (Permission is not (AclPermissionType.Allow or AclPermissionType.Deny))
        {
            return $"Invalid permissionType {Permission}";
        }

        if (string.IsNullOrEmpty(ResourceName))
        {
            return "Resource name should not be empty";
        }

        if (ResourceType == AclResourceType.Cluster && ResourceName != ResourceOperations.ClusterName)
        {
            return $"The only valid name for the CLUSTER resource is {ResourceOperations.ClusterName}";
        }

        if (!Principal.Contains(':', StringComparison.Ordinal))
        {
            return $"Could not parse principal from `{Principal}` (no colon is present separating the principal type from the principal name)";
        }

        return null;
    }
}

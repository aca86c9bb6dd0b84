namespace Samsa.Broker.Security.Authorization;

/// <summary>Whether an ACL allows or denies, with Kafka's wire codes.</summary>
internal enum AclPermissionType : sbyte
{
    Unknown = 0,
    Any = 1,
    Deny = 2,
    Allow = 3,
}

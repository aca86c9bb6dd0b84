namespace Samsa.Broker.Security.Authorization;

/// <summary>Kafka's ACL resource types, with their wire codes.</summary>
internal enum AclResourceType : sbyte
{
    Unknown = 0,
    Any = 1,
    Topic = 2,
    Group = 3,
    Cluster = 4,
    TransactionalId = 5,
    DelegationToken = 6,
    User = 7,
}

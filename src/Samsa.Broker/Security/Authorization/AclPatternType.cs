namespace Samsa.Broker.Security.Authorization;

/// <summary>How an ACL's resource name matches (Kafka's wire codes). Match and Any only appear in filters.</summary>
internal enum AclPatternType : sbyte
{
    Unknown = 0,
    Any = 1,
    Match = 2,
    Literal = 3,
    Prefixed = 4,
}

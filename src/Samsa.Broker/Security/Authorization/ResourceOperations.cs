using Samsa.Protocol;

namespace Samsa.Broker.Security.Authorization;

/// <summary>
/// What can be done to each kind of resource (Kafka's <c>AclEntry.supportedOperations</c>), the
/// bit fields the protocol reports authorized operations in, and the error a denial answers with.
/// </summary>
internal static class ResourceOperations
{
    /// <summary>The cluster resource's only name.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>The protocol's marker for "authorized operations not asked for".</summary>
    public const int Omitted = int.MinValue;

    private static readonly AclOperation[] TopicOperations =
        [AclOperation.Read, AclOperation.Write, AclOperation.Create, AclOperation.Describe, AclOperation.Delete, AclOperation.Alter, AclOperation.DescribeConfigs, AclOperation.AlterConfigs];

    private static readonly AclOperation[] GroupOperations =
        [AclOperation.Read, AclOperation.Describe, AclOperation.Delete, AclOperation.DescribeConfigs, AclOperation.AlterConfigs];

    private static readonly AclOperation[] ClusterOperations =
        [AclOperation.Create, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs, AclOperation.IdempotentWrite, AclOperation.Alter, AclOperation.Describe];

    private static readonly AclOperation[] TransactionalIdOperations = [AclOperation.Describe, AclOperation.Write];

    private static readonly AclOperation[] DelegationTokenOperations = [AclOperation.Describe];

    private static readonly AclOperation[] UserOperations = [AclOperation.CreateTokens, AclOperation.DescribeTokens];

    /// <summary>The operations a resource of <paramref name="type"/> supports.</summary>
    public static IReadOnlyList<AclOperation> Supported(AclResourceType type) => type switch
    {
        AclResourceType.Topic => TopicOperations,
        AclResourceType.Group => GroupOperations,
        AclResourceType.Cluster => ClusterOperations,
        AclResourceType.TransactionalId => TransactionalIdOperations,
        AclResourceType.DelegationToken => DelegationTokenOperations,
        AclResourceType.User => UserOperations,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a concrete resource type."),
    };

    /// <summary>The operations as the protocol's 32-bit field: bit <c>code</c> set for each.</summary>
    public static int ToBitField(IEnumerable<AclOperation> operations)
    {
        var field = 0;
        foreach (var operation in operations)
        {
            field |= 1 << (int)operation;
        }

        return field;
    }

    /// <summary>The error a request is answered with when an operation on <paramref name="type"/> is denied.</summary>
    public static ErrorCode DeniedError(AclResourceType type) => type switch
    {
        AclResourceType.Topic => ErrorCode.TopicAuthorizationFailed,
        AclResourceType.Group => ErrorCode.GroupAuthorizationFailed,
        AclResourceType.Cluster => ErrorCode.ClusterAuthorizationFailed,
        AclResourceType.TransactionalId => ErrorCode.TransactionalIdAuthorizationFailed,
        AclResourceType.DelegationToken => ErrorCode.DelegationTokenAuthorizationFailed,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No authorization error for this resource type."),
    };
}

namespace Samsa.Broker.Groups;

/// <summary>
/// Where a member of a consumer-protocol group stands in reconciliation (Kafka's MemberState;
/// the byte values are the ones <c>__consumer_offsets</c> stores).
/// </summary>
internal enum MemberReconciliation : sbyte
{
    /// <summary>The member owns its whole target assignment, or as much of it as is free.</summary>
    Stable = 0,

    /// <summary>The member must first give up partitions (its pending revocation) before it moves to the next epoch.</summary>
    UnrevokedPartitions = 1,

    /// <summary>The member is at the target epoch but waits for partitions that others still own.</summary>
    UnreleasedPartitions = 2,
}

/// <summary>
/// One member of a consumer-protocol (KIP-848) group: its subscription and its current
/// assignment. Immutable: a heartbeat builds the next version with <c>with</c>, and the group
/// keeps it once its records are stored. Owned by its group's loop.
/// </summary>
internal sealed record ConsumerProtocolMember
{
    /// <summary>The epoch a static member sends when it leaves for a while and will come back (Kafka's LEAVE_GROUP_STATIC_MEMBER_EPOCH).</summary>
    public const int StaticLeaveEpoch = -2;

    /// <summary>The epoch a member sends to leave (Kafka's LEAVE_GROUP_MEMBER_EPOCH).</summary>
    public const int LeaveEpoch = -1;

    public required string MemberId { get; init; }

    public string? InstanceId { get; init; }

    public string? RackId { get; init; }

    public string ClientId { get; init; } = "";

    public string ClientHost { get; init; } = "";

    public IReadOnlyList<string> SubscribedTopicNames { get; init; } = [];

    public string? SubscribedTopicRegex { get; init; }

    public int RebalanceTimeoutMs { get; init; } = -1;

    public string? ServerAssignor { get; init; }

    public int MemberEpoch { get; init; }

    public int PreviousMemberEpoch { get; init; }

    public MemberReconciliation State { get; init; }

    /// <summary>The partitions the member may consume now.</summary>
    public PartitionAssignment Assigned { get; init; } = PartitionAssignment.Empty;

    /// <summary>Partitions the member still owns but must give up.</summary>
    public PartitionAssignment PendingRevocation { get; init; } = PartitionAssignment.Empty;

    public bool IsReconciledTo(int targetEpoch) => State == MemberReconciliation.Stable && MemberEpoch == targetEpoch;

    /// <summary>Whether what the member wants (topics, regex, assignor) differs from <paramref name="other"/>'s: that starts a new group epoch.</summary>
    public bool SubscriptionDiffers(ConsumerProtocolMember other) =>
        !SubscribedTopicNames.SequenceEqual(other.SubscribedTopicNames, StringComparer.Ordinal)
        || SubscribedTopicRegex != other.SubscribedTopicRegex;

    /// <summary>Whether the fields of its ConsumerGroupMemberMetadata record differ from <paramref name="other"/>'s.</summary>
    public bool MetadataDiffers(ConsumerProtocolMember other) =>
        SubscriptionDiffers(other)
        || InstanceId != other.InstanceId
        || RackId != other.RackId
        || ClientId != other.ClientId
        || ClientHost != other.ClientHost
        || RebalanceTimeoutMs != other.RebalanceTimeoutMs
        || ServerAssignor != other.ServerAssignor;

    /// <summary>Whether the fields of its ConsumerGroupCurrentMemberAssignment record differ from <paramref name="other"/>'s.</summary>
    public bool AssignmentDiffers(ConsumerProtocolMember other) =>
        MemberEpoch != other.MemberEpoch
        || PreviousMemberEpoch != other.PreviousMemberEpoch
        || State != other.State
        || !Assigned.SetEquals(other.Assigned)
        || !PendingRevocation.SetEquals(other.PendingRevocation);
}

namespace Samsa.Broker.Groups;

/// <summary>
/// The states of a classic consumer group, as Kafka names them in DescribeGroups and ListGroups.
/// Empty -> PreparingRebalance when a member joins; PreparingRebalance -> CompletingRebalance when
/// every member rejoined (or the rebalance timeout passed), or -> Empty when none is left;
/// CompletingRebalance -> Stable when the leader's SyncGroup is stored; Stable or
/// CompletingRebalance -> PreparingRebalance when membership or metadata changes; Empty -> Dead
/// when the group is deleted.
/// </summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

internal static class GroupStates
{
    /// <summary>The protocol type of consumer groups; groups of other types (Connect, ...) are served the same way.</summary>
    public const string ConsumerProtocolType = "consumer";

    /// <summary>ListGroups v5 group type of classic groups.</summary>
    public const string ClassicGroupType = "classic";

    /// <summary>ListGroups v5 group type of consumer-protocol (KIP-848) groups.</summary>
    public const string ConsumerGroupType = "consumer";

    public static string Name(GroupState state) => state switch
    {
        GroupState.Empty => "Empty",
        GroupState.PreparingRebalance => "PreparingRebalance",
        GroupState.CompletingRebalance => "CompletingRebalance",
        GroupState.Stable => "Stable",
        _ => "Dead",
    };
}

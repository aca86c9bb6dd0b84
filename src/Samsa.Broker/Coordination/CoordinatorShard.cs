using Samsa.Broker.Replication;
using Samsa.Protocol;

namespace Samsa.Broker.Coordination;

/// <summary>
/// One partition of a coordinator's internal topic (<c>__consumer_offsets</c>, <c>__transaction_state</c>):
/// the node coordinating it, where its load stands, the coordinator epoch, and its items (groups,
/// transactional ids) by key. Guarded by the lock of its <see cref="CoordinatorShards{TItem}"/>.
/// </summary>
internal sealed class CoordinatorShard<TItem>(Partition partition)
    where TItem : class
{
    /// <summary>The partition holding this shard's records.</summary>
    public Partition Partition { get; } = partition;

    public int Index => Partition.Index;

    /// <summary>The node coordinating the shard (its partition's leader when last assigned); -1 for none.</summary>
    public int Owner { get; internal set; } = -1;

    public ShardStatus Status { get; internal set; } = ShardStatus.Unloaded;

    /// <summary>Bumped at every reassignment, so a load that finishes late does not publish stale items.</summary>
    public int Generation { get; internal set; }

    /// <summary>The partition's leader epoch when the shard was loaded (Kafka's coordinator epoch, written into markers).</summary>
    public int CoordinatorEpoch { get; internal set; } = -1;

    /// <summary>Failed attempts of the current load; 0 once loaded.</summary>
    public int FailedAttempts { get; internal set; }

    /// <summary>Why the last attempt failed, while <see cref="Status"/> is <see cref="ShardStatus.Failed"/>.</summary>
    public Exception? LastFailure { get; internal set; }

    /// <summary>The pending retry of a failed load; disposed when the shard is reassigned or the coordinator stops.</summary>
    internal ITimer? Retry { get; set; }

    public Dictionary<string, TItem> Items { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Why <paramref name="nodeId"/> cannot serve this shard now (None when it can): NOT_COORDINATOR when another
    /// node owns it or <paramref name="nodeAlive"/> is false, COORDINATOR_LOAD_IN_PROGRESS until it is loaded.
    /// </summary>
    public ErrorCode ServingError(int nodeId, bool nodeAlive) =>
        Owner != nodeId || !nodeAlive
            ? ErrorCode.NotCoordinator
            : Status switch
            {
                ShardStatus.Loaded => ErrorCode.None,
                ShardStatus.Loading or ShardStatus.Failed => ErrorCode.CoordinatorLoadInProgress,
                _ => ErrorCode.NotCoordinator,
            };

    /// <summary>True while the shard is on its way to loaded (loading, or failed and retrying).</summary>
    public bool IsLoading => Status is ShardStatus.Loading or ShardStatus.Failed;
}

using Samsa.Broker.Replication;

namespace Samsa.Broker.Transactions;

/// <summary>
/// One <c>__transaction_state</c> partition: the node coordinating its transactional ids, the
/// coordinator epoch (the partition's leader epoch when it was loaded, written into every
/// marker), and the ids. Guarded by the coordinator's lock.
/// </summary>
internal sealed class TransactionShard(Partition partition)
{
    /// <summary>The <c>__transaction_state</c> partition holding this shard's records.</summary>
    public Partition Partition { get; } = partition;

    public int Index => Partition.Index;

    public int Owner { get; set; } = -1;

    public TransactionShardStatus Status { get; set; } = TransactionShardStatus.Unloaded;

    /// <summary>Bumped at every reassignment, so a load that finishes late does not publish stale state.</summary>
    public int Generation { get; set; }

    public int CoordinatorEpoch { get; set; } = -1;

    public Dictionary<string, TransactionMetadata> Transactions { get; } = new(StringComparer.Ordinal);
}

internal enum TransactionShardStatus
{
    Unloaded,
    Loading,
    Loaded,
    Failed,
}

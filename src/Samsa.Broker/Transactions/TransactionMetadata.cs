using System.Collections.Immutable;
using Samsa.Broker.Coordination;
using Samsa.Broker.Groups;

namespace Samsa.Broker.Transactions;

/// <summary>
/// One transactional id as the coordinator knows it: what a TransactionLogValue record holds, plus
/// the epoch before the last bump (kept in memory, as Kafka does) so that a producer whose epoch
/// was bumped under it (a retried InitProducerId, a timed-out transaction) may claim the new one.
/// Immutable: every change is a new snapshot, written to <c>__transaction_state</c> first.
/// </summary>
internal sealed record TransactionSnapshot(
    string TransactionalId,
    long ProducerId,
    long PreviousProducerId,
    short ProducerEpoch,
    short LastProducerEpoch,
    int TimeoutMs,
    TransactionState State,
    ImmutableHashSet<TopicPartitionKey> Partitions,
    long StartTimestamp,
    long LastUpdateTimestamp)
{
    public const short NoEpoch = -1;

    /// <summary>Kafka stops bumping an epoch here and hands out a new producer id instead.</summary>
    public const short ExhaustedEpoch = short.MaxValue - 1;

    /// <summary>A transactional id seen for the first time: its producer id is allocated, no epoch yet.</summary>
    public static TransactionSnapshot New(string transactionalId, long producerId, int timeoutMs, long now) =>
        new(transactionalId, producerId, -1, NoEpoch, NoEpoch, timeoutMs, TransactionState.Empty, [], -1, now);

    public bool IsEpochExhausted => ProducerEpoch >= ExhaustedEpoch;

    /// <summary>When an Ongoing transaction times out (Unix ms).</summary>
    public long Deadline => StartTimestamp + TimeoutMs;
}

/// <summary>
/// The live entry of a transactional id in its coordinator. <see cref="Gate"/> makes the
/// coordinator the single owner of it: every request, timeout and marker write for the id runs
/// under the gate, one at a time, so nothing interleaves with a state change or a marker write.
/// </summary>
internal sealed class TransactionMetadata(TransactionSnapshot initial, CoordinatorShard<TransactionMetadata> shard)
{
    private volatile TransactionSnapshot _current = initial;
    private volatile bool _closed;

    /// <summary>Taken (asynchronously) around every change.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The <c>__transaction_state</c> partition the id lives in: where its state is written, and the coordinator epoch of its markers.</summary>
    public CoordinatorShard<TransactionMetadata> Shard { get; } = shard;

    public string TransactionalId => _current.TransactionalId;

    /// <summary>The state as last written; readable without the gate (ListTransactions, DescribeTransactions).</summary>
    public TransactionSnapshot Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>
    /// While PrepareCommit or PrepareAbort: the partitions still waiting for their marker. Memory
    /// only; after a reload every partition of the prepared transaction gets its marker again.
    /// </summary>
    public HashSet<TopicPartitionKey>? PendingMarkers { get; set; }

    /// <summary>Set when the coordinator lost this id's partition (leadership moved): the entry answers NOT_COORDINATOR.</summary>
    public bool Closed
    {
        get => _closed;
        set => _closed = value;
    }
}

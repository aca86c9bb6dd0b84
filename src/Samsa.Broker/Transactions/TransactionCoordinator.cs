using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Cluster;
using Samsa.Broker.Coordination;
using Samsa.Broker.Groups;
using Samsa.Protocol;

namespace Samsa.Broker.Transactions;

/// <summary>
/// The transaction coordinator of every node of a broker. A transactional id belongs to one
/// partition of <c>__transaction_state</c>, picked as Kafka picks it (<see cref="PartitionFor"/>),
/// and is coordinated by that partition's leader: its state is written there (one TransactionLogValue
/// per change, before the request is answered) and replayed from there when leadership moves.
/// Requests for an id on any other node get NOT_COORDINATOR, and COORDINATOR_LOAD_IN_PROGRESS
/// while its partition is replayed. The table of partitions and ids (<see cref="CoordinatorShards{TItem}"/>)
/// is guarded by its lock, held only for lookups and swaps; each id is then changed only under its own gate
/// (<see cref="TransactionMetadata.Gate"/>): requests, timeouts and marker writes for one id run
/// one at a time.
/// Commit and abort markers are written in-process, straight to the partitions' leaders, before
/// EndTxn is answered; a marker that cannot be written (leader offline) keeps the transaction in
/// PrepareCommit/PrepareAbort, which answers CONCURRENT_TRANSACTIONS until the periodic retry succeeds.
/// This file holds routing and the API entry points; loading is in TransactionCoordinator.Loading.cs,
/// the state transitions and markers in TransactionCoordinator.Transitions.cs.
/// </summary>
internal sealed partial class TransactionCoordinator : IAsyncDisposable
{
    public const string StateTopicName = "__transaction_state";

    /// <summary>How often a request that found its id closed (its partition moved) looks it up again.</summary>
    private const int ClosedRetries = 3;

    private readonly ClusterState _cluster;
    private readonly GroupCoordinator _groups;
    private readonly TransactionSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CoordinatorShards<TransactionMetadata> _shards;
    private readonly object _lock;
    private readonly SemaphoreSlim _maintenanceGate = new(1, 1);
    private ITimer? _maintenance;

    public TransactionCoordinator(ClusterState cluster, GroupCoordinator groups, ILogger logger)
    {
        _cluster = cluster;
        _groups = groups;
        _settings = TransactionSettings.From(cluster.Options);
        _time = cluster.Time;
        _logger = logger;
        _shards = new CoordinatorShards<TransactionMetadata>(StateTopicName, this, _time, logger);
        _lock = _shards.Lock;
    }

    /// <summary>The <c>__transaction_state</c> shards: their status, and the test seam for failing loads.</summary>
    internal CoordinatorShards<TransactionMetadata> Shards => _shards;

    /// <summary>
    /// Kafka's choice of a transactional id's <c>__transaction_state</c> partition: Java's
    /// String.hashCode made non-negative, modulo the partition count (the same rule as for groups).
    /// </summary>
    public static int PartitionFor(string transactionalId, int partitionCount) => GroupCoordinator.PartitionFor(transactionalId, partitionCount);

    /// <summary>Loads <c>__transaction_state</c> when it exists already (restart from a data directory) and starts the timeout checks.</summary>
    public async Task StartAsync()
    {
        _cluster.LeaderChanged += _shards.OnLeaderChanged;
        var loads = EnsureStateTopic(create: false, out _);
        await Task.WhenAll(loads).ConfigureAwait(false);
        var interval = _settings.AbortTimedOutInterval;
        _maintenance = _time.CreateTimer(_ => _ = RunMaintenanceAsync(wait: false), null, interval, interval);
    }

    /// <summary>The node coordinating <paramref name="transactionalId"/> (the leader of its partition), creating <c>__transaction_state</c> on first use.</summary>
    public (ErrorCode Error, BrokerNode? Node) FindCoordinator(string transactionalId)
    {
        if (string.IsNullOrEmpty(transactionalId))
        {
            return (ErrorCode.InvalidRequest, null);
        }

        EnsureStateTopic(create: true, out var topic);
        if (topic is null || topic.Partitions.Count == 0)
        {
            return (ErrorCode.CoordinatorNotAvailable, null);
        }

        var leader = topic.Partitions[PartitionFor(transactionalId, topic.Partitions.Count)].Leadership.LeaderId;
        return leader >= 0 && _cluster.IsAlive(leader)
            ? (ErrorCode.None, _cluster.Nodes[leader])
            : (ErrorCode.CoordinatorNotAvailable, null);
    }

    // ---- API entry points ----

    /// <summary>
    /// InitProducerId with a transactional id: a producer id (new, or the id's own) at a bumped
    /// epoch, after aborting (fencing) any transaction still open. With
    /// <paramref name="expectedProducerId"/> (KIP-360, v3+) a producer resumes its own id; anyone
    /// else is PRODUCER_FENCED.
    /// </summary>
    public Task<InitProducerIdResult> InitProducerIdAsync(int nodeId, string transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch)
    {
        if (transactionalId.Length == 0)
        {
            return Task.FromResult(InitProducerIdResult.Failed(ErrorCode.InvalidRequest));
        }

        if (timeoutMs <= 0 || timeoutMs > _settings.MaxTimeout.TotalMilliseconds)
        {
            return Task.FromResult(InitProducerIdResult.Failed(ErrorCode.InvalidTransactionTimeout));
        }

        return WithTransactionAsync(
            nodeId,
            transactionalId,
            create: () => TransactionSnapshot.New(transactionalId, _cluster.AllocateProducerId(), timeoutMs, Now()),
            metadata => InitLockedAsync(metadata, timeoutMs, expectedProducerId, expectedEpoch),
            InitProducerIdResult.Failed,
            () => InitProducerIdResult.Failed(ErrorCode.CoordinatorNotAvailable));
    }

    /// <summary>AddPartitionsToTxn: the partitions join the transaction, which becomes (or stays) Ongoing.</summary>
    public Task<ErrorCode> AddPartitionsAsync(int nodeId, string transactionalId, long producerId, short producerEpoch, IReadOnlyCollection<TopicPartitionKey> partitions) =>
        transactionalId.Length == 0
            ? Task.FromResult(ErrorCode.InvalidRequest)
            : WithTransactionAsync(
                nodeId,
                transactionalId,
                create: null,
                metadata => AddPartitionsLockedAsync(metadata, producerId, producerEpoch, partitions),
                e => e,
                () => ErrorCode.InvalidProducerIdMapping);

    /// <summary>
    /// AddPartitionsToTxn v4+ with VerifyOnly: whether the partitions are in the Ongoing transaction
    /// of this producer. Returns the transaction's error, or the partitions that are missing.
    /// </summary>
    public Task<(ErrorCode Error, IReadOnlySet<TopicPartitionKey> Missing)> VerifyPartitionsAsync(
        int nodeId,
        string transactionalId,
        long producerId,
        short producerEpoch,
        IReadOnlyCollection<TopicPartitionKey> partitions) =>
        WithTransactionAsync<(ErrorCode, IReadOnlySet<TopicPartitionKey>)>(
            nodeId,
            transactionalId,
            create: null,
            metadata =>
            {
                var current = metadata.Current;
                var error = CheckProducer(current, producerId, producerEpoch);
                if (error != ErrorCode.None)
                {
                    return Task.FromResult<(ErrorCode, IReadOnlySet<TopicPartitionKey>)>((error, ImmutableHashSet<TopicPartitionKey>.Empty));
                }

                var missing = current.State == TransactionState.Ongoing ? partitions.Where(p => !current.Partitions.Contains(p)).ToHashSet() : partitions.ToHashSet();
                return Task.FromResult<(ErrorCode, IReadOnlySet<TopicPartitionKey>)>((ErrorCode.None, missing));
            },
            e => (e, ImmutableHashSet<TopicPartitionKey>.Empty),
            () => (ErrorCode.InvalidProducerIdMapping, ImmutableHashSet<TopicPartitionKey>.Empty));

    /// <summary>AddOffsetsToTxn: the group's <c>__consumer_offsets</c> partition joins the transaction, so its offsets commit with it.</summary>
    public Task<ErrorCode> AddOffsetsAsync(int nodeId, string transactionalId, long producerId, short producerEpoch, string groupId)
    {
        if (transactionalId.Length == 0)
        {
            return Task.FromResult(ErrorCode.InvalidRequest);
        }

        var partition = _groups.OffsetsPartitionFor(groupId);
        return partition < 0
            ? Task.FromResult(ErrorCode.CoordinatorNotAvailable)
            : AddPartitionsAsync(nodeId, transactionalId, producerId, producerEpoch, [new TopicPartitionKey(GroupCoordinator.OffsetsTopicName, partition)]);
    }

    /// <summary>
    /// EndTxn: commits or aborts the Ongoing transaction: PrepareCommit/PrepareAbort is written,
    /// then a marker to every partition, then CompleteCommit/CompleteAbort. A retry of a finished
    /// EndTxn with the same outcome is answered NONE; the opposite outcome INVALID_TXN_STATE.
    /// </summary>
    public Task<ErrorCode> EndTransactionAsync(int nodeId, string transactionalId, long producerId, short producerEpoch, bool commit) =>
        transactionalId.Length == 0
            ? Task.FromResult(ErrorCode.InvalidRequest)
            : WithTransactionAsync(
                nodeId,
                transactionalId,
                create: null,
                metadata => EndLockedAsync(metadata, producerId, producerEpoch, commit),
                e => e,
                () => ErrorCode.InvalidProducerIdMapping);

    /// <summary>
    /// Runs <paramref name="action"/> (a transactional produce or offset commit) under the id's gate
    /// when the producer owns the Ongoing transaction and <paramref name="partition"/> was added to
    /// it; otherwise answers INVALID_PRODUCER_ID_MAPPING, INVALID_PRODUCER_EPOCH or INVALID_TXN_STATE
    /// without running it. Holding the gate means no marker can be written between the check and
    /// the write. Any node may ask (the partition's leader is rarely the coordinator);
    /// <paramref name="unavailable"/> answers while the id's partition has no loaded coordinator.
    /// </summary>
    public async Task<(ErrorCode Error, T Value)> RunInTransactionAsync<T>(
        string transactionalId,
        long producerId,
        short producerEpoch,
        TopicPartitionKey partition,
        Func<Task<T>> action,
        ErrorCode unavailable)
    {
        TransactionMetadata? metadata;
        lock (_lock)
        {
            if (_shards.IsStopped)
            {
                return (unavailable, default!);
            }

            if (_shards.Count == 0)
            {
                return (ErrorCode.InvalidProducerIdMapping, default!);
            }

            var shard = _shards[PartitionFor(transactionalId, _shards.Count)];
            if (shard.Status != ShardStatus.Loaded || !_cluster.IsAlive(shard.Owner))
            {
                return (unavailable, default!);
            }

            shard.Items.TryGetValue(transactionalId, out metadata);
        }

        if (metadata is null)
        {
            return (ErrorCode.InvalidProducerIdMapping, default!);
        }

        await metadata.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (metadata.Closed)
            {
                return (unavailable, default!);
            }

            var current = metadata.Current;
            var error = CheckProducer(current, producerId, producerEpoch);
            if (error != ErrorCode.None)
            {
                // A data write from an old epoch is INVALID_PRODUCER_EPOCH in every Produce version.
                return (error == ErrorCode.ProducerFenced ? ErrorCode.InvalidProducerEpoch : error, default!);
            }

            if (current.State != TransactionState.Ongoing || !current.Partitions.Contains(partition))
            {
                return (ErrorCode.InvalidTxnState, default!);
            }

            return (ErrorCode.None, await action().ConfigureAwait(false));
        }
        finally
        {
            metadata.Gate.Release();
        }
    }

    /// <summary>DescribeTransactions: the id's state, TRANSACTIONAL_ID_NOT_FOUND when unknown, or the routing error.</summary>
    public (ErrorCode Error, TransactionSnapshot? Transaction) Describe(int nodeId, string transactionalId)
    {
        lock (_lock)
        {
            var (error, shard) = Route(nodeId, transactionalId);
            if (shard is null)
            {
                return (error, null);
            }

            return shard.Items.TryGetValue(transactionalId, out var metadata) && metadata.Current.ProducerEpoch != TransactionSnapshot.NoEpoch
                ? (ErrorCode.None, metadata.Current)
                : (ErrorCode.TransactionalIdNotFound, null);
        }
    }

    /// <summary>ListTransactions: every id this node coordinates; COORDINATOR_LOAD_IN_PROGRESS (with what is loaded) while a partition is replayed.</summary>
    public (ErrorCode Error, IReadOnlyList<TransactionSnapshot> Transactions) List(int nodeId)
    {
        var loading = false;
        var result = new List<TransactionSnapshot>();
        lock (_lock)
        {
            foreach (var shard in _shards.All)
            {
                if (shard.Owner != nodeId || !_cluster.IsAlive(nodeId))
                {
                    continue;
                }

                loading |= shard.IsLoading;
                result.AddRange(shard.Items.Values.Select(m => m.Current).Where(s => s.ProducerEpoch != TransactionSnapshot.NoEpoch));
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.TransactionalId, b.TransactionalId));
        return (loading ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None, result);
    }

    /// <summary>Why the producer may not act in <paramref name="current"/>: INVALID_PRODUCER_ID_MAPPING for another id, PRODUCER_FENCED for another epoch.</summary>
    private static ErrorCode CheckProducer(TransactionSnapshot current, long producerId, short producerEpoch)
    {
        if (current.ProducerId != producerId || current.ProducerEpoch == TransactionSnapshot.NoEpoch)
        {
            return ErrorCode.InvalidProducerIdMapping;
        }

        return current.ProducerEpoch != producerEpoch ? ErrorCode.ProducerFenced : ErrorCode.None;
    }

    // ---- routing ----

    /// <summary>Must hold the lock.</summary>
    private (ErrorCode Error, CoordinatorShard<TransactionMetadata>? Shard) Route(int nodeId, string transactionalId)
    {
        if (_shards.IsStopped || _shards.Count == 0)
        {
            return (_shards.IsStopped ? ErrorCode.CoordinatorNotAvailable : ErrorCode.NotCoordinator, null);
        }

        var shard = _shards[PartitionFor(transactionalId, _shards.Count)];
        var error = shard.ServingError(nodeId, _cluster.IsAlive(nodeId));
        return (error, error == ErrorCode.None ? shard : null);
    }

    private (ErrorCode Error, TransactionMetadata? Metadata) Lookup(int nodeId, string transactionalId, Func<TransactionSnapshot>? create)
    {
        lock (_lock)
        {
            var (error, shard) = Route(nodeId, transactionalId);
            if (shard is null)
            {
                return (error, null);
            }

            if (shard.Items.TryGetValue(transactionalId, out var metadata) || create is null)
            {
                return (ErrorCode.None, metadata);
            }

            metadata = new TransactionMetadata(create(), shard);
            shard.Items[transactionalId] = metadata;
            return (ErrorCode.None, metadata);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> under the id's gate on the node that coordinates it. An id
    /// closed under it (its partition moved) is looked up again, so the caller gets NOT_COORDINATOR
    /// or the fresh entry.
    /// </summary>
    private async Task<T> WithTransactionAsync<T>(
        int nodeId,
        string transactionalId,
        Func<TransactionSnapshot>? create,
        Func<TransactionMetadata, Task<T>> operation,
        Func<ErrorCode, T> failed,
        Func<T> absent)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (error, metadata) = Lookup(nodeId, transactionalId, create);
            if (error != ErrorCode.None)
            {
                return failed(error);
            }

            if (metadata is null)
            {
                return absent();
            }

            await metadata.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!metadata.Closed)
                {
                    return await operation(metadata).ConfigureAwait(false);
                }
            }
            finally
            {
                metadata.Gate.Release();
            }

            if (attempt >= ClosedRetries)
            {
                return failed(ErrorCode.NotCoordinator);
            }
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Aborts Ongoing transactions past their timeout (bumping the epoch, so the stalled producer is
    /// fenced) and retries markers of prepared transactions. Runs on a timer every
    /// <see cref="BrokerOptions.TransactionAbortTimedOutInterval"/>; tests call it directly.
    /// With <paramref name="wait"/> false, a run already in progress makes this one a no-op.
    /// </summary>
    internal async Task RunMaintenanceAsync(bool wait = true)
    {
        if (!await _maintenanceGate.WaitAsync(wait ? Timeout.Infinite : 0).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            List<TransactionMetadata> candidates;
            lock (_lock)
            {
                if (_shards.IsStopped)
                {
                    return;
                }

                candidates = _shards.All
                    .Where(s => s.Status == ShardStatus.Loaded && _cluster.IsAlive(s.Owner))
                    .SelectMany(s => s.Items.Values)
                    .ToList();
            }

            var now = Now();
            foreach (var metadata in candidates)
            {
                var current = metadata.Current;
                if (current.State == TransactionState.Ongoing && current.Deadline <= now)
                {
                    await AbortTimedOutAsync(metadata).ConfigureAwait(false);
                }
                else if (TransactionStates.IsPreparing(current.State))
                {
                    await CompleteAsync(metadata).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            // It runs from a timer, where nobody awaits it: whatever failed is logged and the next tick tries again.
            TransactionCoordinatorLogging.MaintenanceFailed(_logger, e);
        }
        finally
        {
            _maintenanceGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_shards.TryStop(out var closing))
        {
            return;
        }

        _cluster.LeaderChanged -= _shards.OnLeaderChanged;
        foreach (var metadata in closing)
        {
            metadata.Closed = true;
        }

        if (_maintenance is not null)
        {
            await _maintenance.DisposeAsync().ConfigureAwait(false);
        }

        // Lets a maintenance run in progress finish before the logs close.
        await _maintenanceGate.WaitAsync().ConfigureAwait(false);
        _maintenanceGate.Release();
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;

namespace Samsa.Broker.Coordination;

/// <summary>
/// The shards of one coordinator (a partition of its internal topic each) and their lifecycle: when
/// leadership of a partition moves, the previous owner's items are unloaded and the new leader reads
/// them back (<see cref="IShardContentLoader{TItem}.Load"/>) before the shard serves. A load that fails,
/// whatever the exception, is logged, marks the shard <see cref="ShardStatus.Failed"/> (still answering
/// COORDINATOR_LOAD_IN_PROGRESS) and is retried after <see cref="CoordinatorLoadRetry"/>'s backoff on
/// the broker's clock, until it succeeds or the shard moves on. Nothing thrown by a load, a hand-over
/// or a retry timer escapes to the thread pool.
/// The table, each shard and its items are guarded by <see cref="Lock"/>, which the coordinator also
/// takes for its lookups; it is held only for lookups and swaps, never while a partition is read.
/// </summary>
internal sealed class CoordinatorShards<TItem>
    where TItem : class
{
    private readonly string _topicName;
    private readonly IShardContentLoader<TItem> _loader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private CoordinatorShard<TItem>[] _shards = [];
    private TopicState? _topic;
    private bool _stopped;

    public CoordinatorShards(string topicName, IShardContentLoader<TItem> loader, TimeProvider time, ILogger logger)
    {
        _topicName = topicName;
        _loader = loader;
        _time = time;
        _logger = logger;
    }

    /// <summary>Guards the table, each shard and its items.</summary>
    public object Lock { get; } = new();

    /// <summary>True once <see cref="TryStop"/> ran. Must hold <see cref="Lock"/>.</summary>
    public bool IsStopped => _stopped;

    /// <summary>How many shards there are (the internal topic's partitions); 0 before it exists. Must hold <see cref="Lock"/>.</summary>
    public int Count => _shards.Length;

    /// <summary>Every shard. Must hold <see cref="Lock"/>.</summary>
    public IReadOnlyList<CoordinatorShard<TItem>> All => _shards;

    /// <summary>Must hold <see cref="Lock"/>.</summary>
    public CoordinatorShard<TItem> this[int index] => _shards[index];

    /// <summary>Test seam: runs before each load attempt (shard, attempt number), so a test can make loads fail.</summary>
    internal Action<CoordinatorShard<TItem>, int>? BeforeLoad { get; set; }

    /// <summary>The status of shard <paramref name="index"/>; <see cref="ShardStatus.Unloaded"/> for none.</summary>
    public ShardStatus StatusOf(int index)
    {
        lock (Lock)
        {
            return (uint)index < (uint)_shards.Length ? _shards[index].Status : ShardStatus.Unloaded;
        }
    }

    /// <summary>The internal topic the shards belong to, unless it was deleted since.</summary>
    public bool TryGetTopic(out TopicState topic)
    {
        lock (Lock)
        {
            topic = _topic!;
            return _topic is { IsDeleted: false };
        }
    }

    /// <summary>
    /// The internal topic, created when missing and <paramref name="create"/> (<see cref="InternalTopic"/>) and then
    /// adopted (<see cref="Adopt"/>). Returns the loads started.
    /// </summary>
    public List<Task> EnsureTopic(ClusterState cluster, int partitions, short replicationFactor, bool create, out TopicState? topic)
    {
        if (TryGetTopic(out var current))
        {
            topic = current;
            return [];
        }

        if (!create && !cluster.TryGetTopic(_topicName, out _))
        {
            topic = null;
            return [];
        }

        (topic, var failure) = InternalTopic.GetOrCreate(cluster, _topicName, partitions, replicationFactor);
        if (topic is null)
        {
            CoordinationLogging.TopicNotCreated(_logger, _topicName, failure!.Error, failure.Message);
            return [];
        }

        return Adopt(topic);
    }

    /// <summary>
    /// Takes <paramref name="topic"/> (first use, or recreated) as the internal topic: the items of the previous one
    /// are unloaded and each partition starts loading on its leader. Returns the loads started; none when it is the
    /// current topic already.
    /// </summary>
    public List<Task> Adopt(TopicState topic)
    {
        var closing = new List<(int Partition, List<TItem> Items)>();
        lock (Lock)
        {
            if (_stopped || _topic == topic)
            {
                return [];
            }

            foreach (var shard in _shards)
            {
                closing.Add((shard.Index, [.. shard.Items.Values]));
                Reset(shard, ShardStatus.Unloaded);
            }

            Volatile.Write(ref _topic, topic);
            _shards = topic.Partitions.Select(p => new CoordinatorShard<TItem>(p)).ToArray();
        }

        foreach (var (partition, items) in closing)
        {
            HandOver(partition, () => _loader.Unload(partition, items, previousOwner: -1));
        }

        var loads = new List<Task>();
        foreach (var partition in topic.Partitions)
        {
            if (Reassign(partition) is { } load)
            {
                loads.Add(load);
            }
        }

        return loads;
    }

    /// <summary>Leadership of a partition moved (a node stopped or started): when it is one of ours, hand its items to the new leader.</summary>
    public void OnLeaderChanged(Partition partition)
    {
        if (partition.Topic == _topicName && partition.TopicId == Volatile.Read(ref _topic)?.Id)
        {
            _ = Reassign(partition);
        }
    }

    /// <summary>Unloads the items of the previous owner and starts loading on the current leader; null when nothing changed.</summary>
    public Task? Reassign(Partition partition)
    {
        var leader = partition.Leadership.LeaderId;
        CoordinatorShard<TItem> shard;
        List<TItem> unloaded;
        int generation;
        int previousOwner;
        lock (Lock)
        {
            if (_stopped || partition.Index >= _shards.Length || _shards[partition.Index].Partition != partition)
            {
                return null;
            }

            shard = _shards[partition.Index];
            if (shard.Owner == leader && shard.Status is ShardStatus.Loading or ShardStatus.Loaded)
            {
                return null;
            }

            previousOwner = shard.Owner;
            unloaded = [.. shard.Items.Values];
            generation = Reset(shard, leader >= 0 ? ShardStatus.Loading : ShardStatus.Unloaded);
            shard.Owner = leader;
        }

        HandOver(partition.Index, () => _loader.Unload(partition.Index, unloaded, previousOwner));
        if (leader < 0)
        {
            return null;
        }

        // An empty partition (the topic was just created) loads at once, so the first request does not wait.
        if (partition.LogEndOffset <= partition.LogStartOffset)
        {
            Load(shard, leader, generation, attempt: 1);
            return Task.CompletedTask;
        }

        return Task.Run(() => Load(shard, leader, generation, attempt: 1));
    }

    /// <summary>
    /// Stops every shard (no more loads or retries publish anything) and returns the items they held, for the
    /// coordinator to close; false when stopped already.
    /// </summary>
    public bool TryStop(out List<TItem> items)
    {
        lock (Lock)
        {
            items = [];
            if (_stopped)
            {
                return false;
            }

            _stopped = true;
            foreach (var shard in _shards)
            {
                items.AddRange(shard.Items.Values);
                Reset(shard, ShardStatus.Unloaded);
            }

            return true;
        }
    }

    /// <summary>Empties the shard, cancels its pending retry and starts a new generation. Must hold <see cref="Lock"/>.</summary>
    private static int Reset(CoordinatorShard<TItem> shard, ShardStatus status)
    {
        shard.Items.Clear();
        shard.Status = status;
        shard.FailedAttempts = 0;
        shard.LastFailure = null;
        shard.Retry?.Dispose();
        shard.Retry = null;
        return ++shard.Generation;
    }

    /// <summary>One load attempt; never throws (it runs on the thread pool or a timer).</summary>
    private void Load(CoordinatorShard<TItem> shard, int leader, int generation, int attempt)
    {
        var clock = Stopwatch.StartNew();
        ShardContent<TItem> content;
        try
        {
            BeforeLoad?.Invoke(shard, attempt);
            content = _loader.Load(shard, leader);
        }
        catch (Exception e)
        {
            // Whatever went wrong, the shard must not stay loading silently: it fails visibly and tries again.
            Fail(shard, leader, generation, attempt, e);
            return;
        }

        bool current;
        lock (Lock)
        {
            current = shard.Generation == generation && !_stopped;
            if (current)
            {
                shard.CoordinatorEpoch = shard.Partition.Leadership.LeaderEpoch;
                foreach (var (key, item) in content.Items)
                {
                    shard.Items[key] = item;
                }

                shard.Status = ShardStatus.Loaded;
                shard.FailedAttempts = 0;
                shard.LastFailure = null;
            }
        }

        // Leadership moved again while we read: these items belong to nobody.
        HandOver(shard.Index, current
            ? () => _loader.Loaded(shard, content, leader, clock.ElapsedMilliseconds)
            : () => _loader.Unload(shard.Index, content.Items.Values, previousOwner: -1));
    }

    private void Fail(CoordinatorShard<TItem> shard, int leader, int generation, int attempt, Exception error)
    {
        var delay = CoordinatorLoadRetry.DelayAfter(attempt);
        CoordinationLogging.LoadFailed(_logger, error, _topicName, shard.Index, leader, attempt, (long)delay.TotalMilliseconds);
        lock (Lock)
        {
            if (shard.Generation != generation || _stopped)
            {
                return;
            }

            shard.Status = ShardStatus.Failed;
            shard.FailedAttempts = attempt;
            shard.LastFailure = error;
            shard.Retry?.Dispose();
            shard.Retry = _time.CreateTimer(_ => Retry(shard, leader, generation, attempt + 1), null, delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The retry timer's callback: loads again unless the shard moved on (a newer generation) or the coordinator stopped.</summary>
    private void Retry(CoordinatorShard<TItem> shard, int leader, int generation, int attempt)
    {
        lock (Lock)
        {
            if (shard.Generation != generation || _stopped || shard.Status != ShardStatus.Failed)
            {
                return;
            }

            shard.Status = ShardStatus.Loading;
            shard.Retry?.Dispose();
            shard.Retry = null;
        }

        Load(shard, leader, generation, attempt);
    }

    /// <summary>Runs a coordinator's hand-over step, logging what it throws: it runs on the thread pool or a timer, where an exception would be lost or fatal.</summary>
    private void HandOver(int partition, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e)
        {
            CoordinationLogging.HandOverFailed(_logger, e, _topicName, partition);
        }
    }
}

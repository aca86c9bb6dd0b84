using Microsoft.Extensions.Logging;
using Samsa.Broker.Cluster;
using Samsa.Broker.Coordination;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// The group coordinator of every node of a broker. A group belongs to one partition of
/// <c>__consumer_offsets</c>, picked as Kafka picks it (<see cref="PartitionFor"/>), and is
/// coordinated by that partition's leader: its state lives there, is written there, and is
/// replayed from there when leadership moves to another node. Requests for a group on any other
/// node get NOT_COORDINATOR, and COORDINATOR_LOAD_IN_PROGRESS while its partition is replayed.
/// The table of partitions and their groups (<see cref="CoordinatorShards{TItem}"/>) is guarded by
/// its lock, held only for lookups and swaps; each group is then changed only by its own loop
/// (<see cref="ConsumerGroup"/>). This file holds routing and the API entry points; the group side
/// of loading is in GroupCoordinator.Loading.cs.
/// </summary>
internal sealed partial class GroupCoordinator : IAsyncDisposable
{
    public const string OffsetsTopicName = "__consumer_offsets";

    /// <summary>How often a command that found its group closed (moved or deleted) looks it up again.</summary>
    private const int ClosedGroupRetries = 3;

    private readonly ClusterState _cluster;
    private readonly GroupSettings _settings;
    private readonly OffsetStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CoordinatorShards<ConsumerGroup> _shards;
    private readonly object _lock;
    private ITimer? _expiry;

    public GroupCoordinator(ClusterState cluster, ILogger logger)
    {
        _cluster = cluster;
        _settings = GroupSettings.From(cluster.Options);
        _settings = _settings with { ConsumerProtocol = _settings.ConsumerProtocol with { Topics = new ClusterTopicCatalog(cluster) } };
        _store = new OffsetStore(cluster);
        _time = cluster.Time;
        _logger = logger;
        _shards = new CoordinatorShards<ConsumerGroup>(OffsetsTopicName, this, _time, logger);
        _lock = _shards.Lock;
    }

    /// <summary>The <c>__consumer_offsets</c> shards: their status, and the test seam for failing loads.</summary>
    internal CoordinatorShards<ConsumerGroup> Shards => _shards;

    /// <summary>
    /// Kafka's choice of a group's <c>__consumer_offsets</c> partition: Java's String.hashCode of
    /// the group id, made non-negative (Integer.MIN_VALUE becomes 0), modulo the partition count.
    /// </summary>
    public static int PartitionFor(string groupId, int partitionCount)
    {
        var hash = 0;
        foreach (var c in groupId)
        {
            hash = unchecked((31 * hash) + c);
        }

        var positive = hash == int.MinValue ? 0 : Math.Abs(hash);
        return positive % partitionCount;
    }

    /// <summary>Group ids JoinGroup, SyncGroup, Heartbeat, LeaveGroup, DescribeGroups and DeleteGroups accept (the offset APIs also take "").</summary>
    public static bool IsValidGroupId(string? groupId) => !string.IsNullOrEmpty(groupId);

    /// <summary>Creates <c>__consumer_offsets</c> when missing and loads the partitions each live node leads.</summary>
    public async Task StartAsync()
    {
        _cluster.LeaderChanged += _shards.OnLeaderChanged;
        var loads = EnsureOffsetsTopic(out _);
        await Task.WhenAll(loads).ConfigureAwait(false);
        var interval = _cluster.Options.OffsetsRetentionCheckInterval;
        _expiry = _time.CreateTimer(_ => _ = ExpireOffsetsAsync(), null, interval, interval);
    }

    /// <summary>The node coordinating <paramref name="groupId"/> (the leader of its partition), creating <c>__consumer_offsets</c> on first use.</summary>
    public (ErrorCode Error, BrokerNode? Node) FindCoordinator(string groupId)
    {
        EnsureOffsetsTopic(out var topic);
        if (topic is null || topic.Partitions.Count == 0)
        {
            return (ErrorCode.CoordinatorNotAvailable, null);
        }

        var partition = topic.Partitions[PartitionFor(groupId, topic.Partitions.Count)];
        var leader = partition.Leadership.LeaderId;
        return leader >= 0 && _cluster.IsAlive(leader)
            ? (ErrorCode.None, _cluster.Nodes[leader])
            : (ErrorCode.CoordinatorNotAvailable, null);
    }

    // ---- API entry points: each routes to the group's loop ----

    public Task<JoinGroupResult> JoinGroupAsync(int nodeId, string groupId, JoinGroupCommand command)
    {
        if (!IsValidGroupId(groupId))
        {
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InvalidGroupId, command.MemberId));
        }

        if (RouteError(nodeId, groupId) is { } routeError)
        {
            return Task.FromResult(JoinGroupResult.Failed(routeError, command.MemberId));
        }

        if (command.SessionTimeout < _settings.MinSessionTimeout || command.SessionTimeout > _settings.MaxSessionTimeout)
        {
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InvalidSessionTimeout, command.MemberId));
        }

        // Only a member without an id may create the group; one with an id is unknown to a group that is not there.
        return WithGroupAsync(
            nodeId,
            groupId,
            create: command.MemberId.Length == 0,
            group => group.JoinAsync(command),
            error => JoinGroupResult.Failed(error, command.MemberId),
            () => JoinGroupResult.Failed(ErrorCode.UnknownMemberId, command.MemberId));
    }

    public Task<SyncGroupResult> SyncGroupAsync(int nodeId, string groupId, SyncGroupCommand command) =>
        IsValidGroupId(groupId)
            ? WithGroupAsync(nodeId, groupId, create: false, group => group.SyncAsync(command), SyncGroupResult.Failed, () => SyncGroupResult.Failed(ErrorCode.UnknownMemberId))
            : Task.FromResult(SyncGroupResult.Failed(ErrorCode.InvalidGroupId));

    public Task<ErrorCode> HeartbeatAsync(int nodeId, string groupId, string memberId, string? groupInstanceId, int generationId) =>
        IsValidGroupId(groupId)
            ? WithGroupAsync(nodeId, groupId, create: false, group => group.HeartbeatAsync(memberId, groupInstanceId, generationId), e => e, () => ErrorCode.UnknownMemberId)
            : Task.FromResult(ErrorCode.InvalidGroupId);

    public Task<LeaveGroupResult> LeaveGroupAsync(int nodeId, string groupId, IReadOnlyList<LeavingMember> members) =>
        IsValidGroupId(groupId)
            ? WithGroupAsync(
                nodeId,
                groupId,
                create: false,
                group => group.LeaveAsync(members),
                error => new LeaveGroupResult(error, []),
                () => new LeaveGroupResult(ErrorCode.None, members.Select(_ => ErrorCode.UnknownMemberId).ToList()))
            : Task.FromResult(new LeaveGroupResult(ErrorCode.InvalidGroupId, []));

    /// <summary>
    /// Commits offsets; one error per entry, in order. Partitions of unknown topics get
    /// UNKNOWN_TOPIC_OR_PARTITION and are not stored. A group that does not exist is created only
    /// for a commit outside group management (generation -1); others get ILLEGAL_GENERATION.
    /// </summary>
    public Task<IReadOnlyList<ErrorCode>> CommitOffsetsAsync(int nodeId, string groupId, OffsetCommitCommand command) =>
        CommitKnownPartitionsAsync(command.Offsets, known => WithGroupAsync<IReadOnlyList<ErrorCode>>(
            nodeId,
            groupId,
            create: command.GenerationId < 0,
            group => group.CommitAsync(command with { Offsets = known }),
            error => Enumerable.Repeat(error, known.Count).ToList(),
            () => Enumerable.Repeat(ErrorCode.IllegalGeneration, known.Count).ToList()));

    /// <summary>
    /// Answers entries of partitions that do not exist with UNKNOWN_TOPIC_OR_PARTITION, commits the others with
    /// <paramref name="commit"/> (one error per entry it is given), and returns one error per entry in request order.
    /// </summary>
    private async Task<IReadOnlyList<ErrorCode>> CommitKnownPartitionsAsync(
        IReadOnlyList<OffsetCommitEntry> offsets,
        Func<IReadOnlyList<OffsetCommitEntry>, Task<IReadOnlyList<ErrorCode>>> commit)
    {
        var errors = new ErrorCode[offsets.Count];
        var known = new List<(int Index, OffsetCommitEntry Entry)>();
        for (var i = 0; i < offsets.Count; i++)
        {
            var entry = offsets[i];
            if (_cluster.TryGetTopic(entry.Topic, out var topic) && entry.Partition >= 0 && entry.Partition < topic.Partitions.Count)
            {
                known.Add((i, entry));
            }
            else
            {
                errors[i] = ErrorCode.UnknownTopicOrPartition;
            }
        }

        if (known.Count == 0)
        {
            return errors;
        }

        var results = await commit(known.Select(k => k.Entry).ToList()).ConfigureAwait(false);
        for (var i = 0; i < known.Count; i++)
        {
            errors[known[i].Index] = results[i];
        }

        return errors;
    }

    /// <summary>A group's committed offsets (none for a group that does not exist), or the routing error.</summary>
    public Task<(ErrorCode Error, IReadOnlyList<FetchedOffset> Offsets)> FetchOffsetsAsync(
        int nodeId,
        string groupId,
        IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics) =>
        WithGroupAsync<(ErrorCode, IReadOnlyList<FetchedOffset>)>(
            nodeId,
            groupId,
            create: false,
            async group => (ErrorCode.None, await group.FetchOffsetsAsync(topics).ConfigureAwait(false)),
            error => (error, []),
            () => (ErrorCode.None, topics is null ? [] : topics.SelectMany(t => t.Partitions.Select(p => new FetchedOffset(t.Topic, p, null))).ToList()));

    /// <summary>The groups this node coordinates; COORDINATOR_LOAD_IN_PROGRESS (with what is loaded) while a partition is replayed.</summary>
    public (ErrorCode Error, IReadOnlyList<GroupOverview> Groups) ListGroups(int nodeId)
    {
        var loading = false;
        var groups = new List<GroupOverview>();
        lock (_lock)
        {
            foreach (var shard in _shards.All)
            {
                if (shard.Owner != nodeId)
                {
                    continue;
                }

                loading |= shard.IsLoading;
                foreach (var group in shard.Items.Values)
                {
                    if (group.Overview.State != GroupState.Dead)
                    {
                        groups.Add(group.Overview);
                    }
                }
            }
        }

        groups.Sort((a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return (loading ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None, groups);
    }

    public Task<GroupDescription> DescribeGroupAsync(int nodeId, string groupId) =>
        IsValidGroupId(groupId)
            ? WithGroupAsync(nodeId, groupId, create: false, group => group.DescribeAsync(), GroupDescription.Failed, () => GroupDescription.DeadGroup)
            : Task.FromResult(GroupDescription.Failed(ErrorCode.InvalidGroupId));

    /// <summary>Deletes an empty group with its offsets: GROUP_ID_NOT_FOUND when there is none, NON_EMPTY_GROUP while it has members.</summary>
    public Task<ErrorCode> DeleteGroupAsync(int nodeId, string groupId) =>
        IsValidGroupId(groupId)
            ? WithGroupAsync(
                nodeId,
                groupId,
                create: false,
                async group =>
                {
                    var error = await group.DeleteAsync().ConfigureAwait(false);
                    if (error == ErrorCode.None)
                    {
                        Forget(groupId, group);
                    }

                    return error;
                },
                e => e,
                () => ErrorCode.GroupIdNotFound)
            : Task.FromResult(ErrorCode.InvalidGroupId);

    /// <summary>Deletes committed offsets of a group; partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION.</summary>
    public async Task<OffsetDeleteResult> DeleteOffsetsAsync(int nodeId, string groupId, IReadOnlyList<TopicPartitionKey> partitions)
    {
        if (!IsValidGroupId(groupId))
        {
            return new OffsetDeleteResult(ErrorCode.InvalidGroupId, []);
        }

        var errors = new ErrorCode[partitions.Count];
        var known = new List<int>();
        for (var i = 0; i < partitions.Count; i++)
        {
            if (_cluster.TryGetTopic(partitions[i].Topic, out var topic) && partitions[i].Partition >= 0 && partitions[i].Partition < topic.Partitions.Count)
            {
                known.Add(i);
            }
            else
            {
                errors[i] = ErrorCode.UnknownTopicOrPartition;
            }
        }

        var result = await WithGroupAsync(
            nodeId,
            groupId,
            create: false,
            group => group.DeleteOffsetsAsync(known.Select(i => partitions[i]).ToList()),
            error => new OffsetDeleteResult(error, []),
            () => new OffsetDeleteResult(ErrorCode.GroupIdNotFound, [])).ConfigureAwait(false);
        if (result.Error != ErrorCode.None)
        {
            return result;
        }

        for (var i = 0; i < known.Count; i++)
        {
            errors[known[i]] = result.PartitionErrors[i];
        }

        return new OffsetDeleteResult(ErrorCode.None, errors);
    }

    // ---- routing ----

    /// <summary>Why <paramref name="nodeId"/> cannot serve <paramref name="groupId"/> now, or null when it can.</summary>
    private ErrorCode? RouteError(int nodeId, string groupId)
    {
        lock (_lock)
        {
            var (error, _) = Route(nodeId, groupId);
            return error == ErrorCode.None ? null : error;
        }
    }

    /// <summary>Must hold the lock.</summary>
    private (ErrorCode Error, CoordinatorShard<ConsumerGroup>? Shard) Route(int nodeId, string groupId)
    {
        if (_shards.IsStopped || _shards.Count == 0)
        {
            return (ErrorCode.CoordinatorNotAvailable, null);
        }

        var shard = _shards[PartitionFor(groupId, _shards.Count)];
        var error = shard.ServingError(nodeId, _cluster.IsAlive(nodeId));
        return (error, error == ErrorCode.None ? shard : null);
    }

    private (ErrorCode Error, ConsumerGroup? Group) Lookup(int nodeId, string groupId, bool create)
    {
        lock (_lock)
        {
            var (error, shard) = Route(nodeId, groupId);
            if (shard is null)
            {
                return (error, null);
            }

            if (shard.Items.TryGetValue(groupId, out var group) || !create)
            {
                return (ErrorCode.None, group);
            }

            group = new ConsumerGroup(groupId, _settings, new PartitionSink(_store, shard.Index, nodeId), _time, _logger);
            shard.Items[groupId] = group;
            return (ErrorCode.None, group);
        }
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on the group's loop. A group closed under it (moved to
    /// another node or deleted) is looked up again, so the caller gets NOT_COORDINATOR or a fresh group.
    /// </summary>
    private async Task<T> WithGroupAsync<T>(int nodeId, string groupId, bool create, Func<ConsumerGroup, Task<T>> operation, Func<ErrorCode, T> failed, Func<T> absent)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (error, group) = Lookup(nodeId, groupId, create);
            if (error != ErrorCode.None)
            {
                return failed(error);
            }

            if (group is null)
            {
                return absent();
            }

            try
            {
                return await operation(group).ConfigureAwait(false);
            }
            catch (GroupClosedException) when (attempt < ClosedGroupRetries)
            {
                Forget(groupId, group);
            }
            catch (GroupClosedException)
            {
                return failed(ErrorCode.NotCoordinator);
            }
        }
    }

    /// <summary>Drops a closed group from its partition's table (when it is still the one there).</summary>
    private void Forget(string groupId, ConsumerGroup group)
    {
        lock (_lock)
        {
            if (_shards.Count == 0)
            {
                return;
            }

            var shard = _shards[PartitionFor(groupId, _shards.Count)];
            if (shard.Items.TryGetValue(groupId, out var current) && current == group)
            {
                shard.Items.Remove(groupId);
            }
        }
    }

    /// <summary>The expiry timer's work; never throws, as nobody awaits it.</summary>
    private async Task ExpireOffsetsAsync()
    {
        try
        {
            List<ConsumerGroup> groups;
            lock (_lock)
            {
                groups = _shards.All.Where(s => s.Status == ShardStatus.Loaded).SelectMany(s => s.Items.Values).ToList();
            }

            foreach (var group in groups)
            {
                try
                {
                    if (await group.ExpireOffsetsAsync().ConfigureAwait(false))
                    {
                        Forget(group.GroupId, group);
                    }
                }
                catch (GroupClosedException)
                {
                    // Moved or deleted meanwhile.
                }
            }
        }
        catch (Exception e)
        {
            CoordinationLogging.TimerCallbackFailed(_logger, e, "Offset expiry");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_shards.TryStop(out var groups))
        {
            return;
        }

        _cluster.LeaderChanged -= _shards.OnLeaderChanged;
        if (_expiry is not null)
        {
            await _expiry.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(groups.Select(g => g.CloseAsync())).ConfigureAwait(false);
    }

    /// <summary>A group's writes go to its partition, appended on the node that coordinates it.</summary>
    private sealed class PartitionSink(OffsetStore store, int partition, int nodeId) : IGroupRecordSink
    {
        public ErrorCode Append(IReadOnlyList<GroupRecord> records, long timestamp) => store.Append(partition, nodeId, records, timestamp);
    }
}

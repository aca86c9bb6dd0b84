using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Diagnostics;
using Samsa.Broker.Replication;
using Samsa.Broker.Security;
using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Storage;
using Samsa.Protocol;

namespace Samsa.Broker.Cluster;

/// <summary>
/// The cluster's metadata: nodes, topics, their partitions and configs. Changes (create, delete,
/// add partitions, alter configs, stop or start a node) are serialized by one lock and persisted;
/// lookups are lock-free. Partition data is owned by each <see cref="Partition"/>.
/// </summary>
internal sealed partial class ClusterState
{
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, TopicState> _topicsByName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, TopicState> _topicsById = new();
    private readonly IReplicaLogFactory _logs;
    private readonly MetadataStore? _store;
    private readonly ILogger _logger;
    private readonly Dictionary<string, string> _brokerConfig;
    private long _nextProducerId;

    public ClusterState(BrokerOptions options, IReplicaLogFactory logs, MetadataStore? store, ILogger logger)
    {
        Options = options;
        _logs = logs;
        _store = store;
        _logger = logger;
        _brokerConfig = new Dictionary<string, string>(options.TopicConfigDefaults, StringComparer.Ordinal);
        LoadDynamicConfigs();
        Nodes = Enumerable.Range(0, options.NodeCount).Select(i => new BrokerNode(i, options.Host)).ToArray();
        ClusterId = options.ClusterId ?? store?.ClusterId ?? NewClusterId();
        _nextProducerId = store?.NextProducerId ?? 0;
    }

    public BrokerOptions Options { get; }

    /// <summary>The ACL authorizer every node checks requests with; null when authorization is off.</summary>
    public AclAuthorizer? Authorizer { get; init; }

    /// <summary>SCRAM users changed at run time (KIP-554), persisted with the data directory.</summary>
    public required ScramCredentialAdministration ScramCredentials { get; init; }

    public string ClusterId { get; }

    public IReadOnlyList<BrokerNode> Nodes { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>Broker-level settings given at start (topic config defaults by their broker names).</summary>
    public IReadOnlyDictionary<string, string> BrokerConfig => _brokerConfig;

    /// <summary>The lowest live node id: it answers as controller.</summary>
    public int ControllerId => Nodes.FirstOrDefault(n => n.IsAlive)?.Id ?? -1;

    public IEnumerable<TopicState> Topics => _topicsByName.Values;

    public int AliveNodeCount => Nodes.Count(n => n.IsAlive);

    public bool IsAlive(int nodeId) => (uint)nodeId < (uint)Nodes.Count && Nodes[nodeId].IsAlive;

    public bool TryGetTopic(string name, out TopicState topic) => _topicsByName.TryGetValue(name, out topic!);

    public bool TryGetTopic(Guid id, out TopicState topic) => _topicsById.TryGetValue(id, out topic!);

    private static string NewClusterId()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Loads topics persisted in the data directory (their logs are opened and recovered).</summary>
    public void LoadPersistedTopics()
    {
        if (_store is null)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var saved in _store.Topics)
            {
                var topic = new TopicState(saved.Name, saved.Id, new TopicConfig(saved.Configs, _brokerDefaults), saved.IsInternal);
                var partitions = saved.Partitions.Select((p, index) =>
                    NewPartition(topic, index, p.Replicas, p.LeaderEpoch + 1, p.EpochHistory.Select(e => ((int)e[0], e[1])).ToList()));
                topic.AddPartitions(partitions.ToList());
                _topicsByName[topic.Name] = topic;
                _topicsById[topic.Id] = topic;
            }

            Persist();
        }
    }

    private Partition NewPartition(TopicState topic, int index, int[] replicas, int leaderEpoch, IReadOnlyList<(int, long)> epochs) =>
        new(topic.Name, topic.Id, index, replicas, Nodes.Count, leaderEpoch, epochs, topic.Config.LogConfig, node => _logs.Open(node, topic.Name, index, topic.Config.LogConfig), node => _logs.Close(node, topic.Name, index), IsAlive);

    /// <summary>
    /// Creates a topic, or (validate only) checks that it could be. Partitions or replication factor of
    /// -1 take the broker defaults; <paramref name="assignment"/> gives replicas per partition explicitly.
    /// </summary>
    public CreateTopicOutcome CreateTopic(
        string name,
        int partitions,
        short replicationFactor,
        IReadOnlyList<int[]>? assignment,
        IReadOnlyDictionary<string, string?> configs,
        bool validateOnly,
        bool isInternal = false)
    {
        if (TopicNames.Validate(name) is { } nameError)
        {
            return CreateTopicOutcome.Failed(ErrorCode.InvalidTopicException, nameError);
        }

        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configs)
        {
            if (!TopicConfigDefinitions.TryGet(key, out var definition))
            {
                return CreateTopicOutcome.Failed(ErrorCode.InvalidConfig, $"Unknown topic config name: {key}");
            }

            if (definition.Validate(value) is { } configError)
            {
                return CreateTopicOutcome.Failed(ErrorCode.InvalidConfig, configError);
            }

            overrides[key] = value!.Trim();
        }

        lock (_gate)
        {
            if (_topicsByName.ContainsKey(name))
            {
                return CreateTopicOutcome.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }

            int[][] replicas;
            if (assignment is { Count: > 0 })
            {
                if (partitions != -1 || replicationFactor != -1)
                {
                    return CreateTopicOutcome.Failed(ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
                }

                if (ValidateAssignment(assignment, 0) is { } assignmentError)
                {
                    return CreateTopicOutcome.Failed(ErrorCode.InvalidReplicaAssignment, assignmentError);
                }

                replicas = assignment.Select(r => r.ToArray()).ToArray();
            }
            else
            {
                var count = partitions == -1 ? Options.DefaultPartitions : partitions;
                if (count <= 0)
                {
                    return CreateTopicOutcome.Failed(ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0.");
                }

                var factor = replicationFactor == -1 ? (short)Math.Min(Options.DefaultReplicationFactor, Nodes.Count) : replicationFactor;
                if (factor <= 0)
                {
                    return CreateTopicOutcome.Failed(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0.");
                }

                var alive = AliveNodeCount;
                if (factor > alive)
                {
                    return CreateTopicOutcome.Failed(ErrorCode.InvalidReplicationFactor, $"Replication factor: {factor} larger than available brokers: {alive}.");
                }

                replicas = AssignReplicas(count, factor, _topicsByName.Count);
            }

            var config = new TopicConfig(overrides, _brokerDefaults);
            if (config.MinInsyncReplicas > replicas[0].Length && !validateOnly)
            {
                // Allowed by Kafka (acks=all produce then fails with NOT_ENOUGH_REPLICAS); noted for operators.
                _logger.LogWarning("Topic {Topic}: min.insync.replicas {MinIsr} exceeds replication factor {Factor}", name, config.MinInsyncReplicas, replicas[0].Length);
            }

            if (validateOnly)
            {
                return new CreateTopicOutcome(ErrorCode.None, null, null, replicas.Length, (short)replicas[0].Length, config);
            }

            var topic = new TopicState(name, Guid.NewGuid(), config, isInternal);
            topic.AddPartitions(replicas.Select((r, i) => NewPartition(topic, i, r, 0, [])).ToList());
            _topicsByName[name] = topic;
            _topicsById[topic.Id] = topic;
            Persist();
            BrokerLogging.TopicCreated(_logger, name, topic.Id, replicas.Length, replicas[0].Length);
            return new CreateTopicOutcome(ErrorCode.None, null, topic, replicas.Length, (short)replicas[0].Length, config);
        }
    }

    /// <summary>Spreads leaders and followers over all nodes, starting at a different node per topic.</summary>
    private int[][] AssignReplicas(int partitions, short factor, int seed)
    {
        var nodes = Nodes.Where(n => n.IsAlive).Select(n => n.Id).ToArray();
        var result = new int[partitions][];
        for (var p = 0; p < partitions; p++)
        {
            result[p] = new int[factor];
            for (var r = 0; r < factor; r++)
            {
                result[p][r] = nodes[(seed + p + r) % nodes.Length];
            }
        }

        return result;
    }

    private string? ValidateAssignment(IReadOnlyList<int[]> assignment, int firstPartition)
    {
        var factor = assignment[0].Length;
        for (var i = 0; i < assignment.Count; i++)
        {
            var replicas = assignment[i];
            if (replicas.Length == 0)
            {
                return $"Partition {firstPartition + i} has an empty replica list.";
            }

            if (replicas.Length != factor)
            {
                return "All partitions should have the same number of replicas.";
            }

            if (replicas.Distinct().Count() != replicas.Length)
            {
                return $"Duplicate brokers not allowed in replica assignment: {string.Join(", ", replicas)} for partition id {firstPartition + i}.";
            }

            var unknown = replicas.FirstOrDefault(r => (uint)r >= (uint)Nodes.Count, -1);
            if (unknown >= 0 || replicas.Any(r => r < 0))
            {
                return $"Replica assignment for partition {firstPartition + i} names broker {replicas.First(r => (uint)r >= (uint)Nodes.Count)}, which does not exist.";
            }
        }

        return null;
    }

    /// <summary>Deletes a topic and its data on every node.</summary>
    public void DeleteTopic(TopicState topic)
    {
        lock (_gate)
        {
            if (!_topicsByName.TryRemove(topic.Name, out _))
            {
                return;
            }

            _topicsById.TryRemove(topic.Id, out _);
            topic.MarkDeleted();
            foreach (var partition in topic.Partitions)
            {
                partition.Close();
                foreach (var replica in partition.Leadership.Replicas)
                {
                    _logs.Delete(replica, topic.Name, partition.Index);
                }
            }

            Persist();
            BrokerLogging.TopicDeleted(_logger, topic.Name, topic.Id);
        }
    }

    /// <summary>Grows a topic to <paramref name="totalCount"/> partitions (never shrinks).</summary>
    public (ErrorCode Error, string? Message) CreatePartitions(TopicState topic, int totalCount, IReadOnlyList<int[]>? assignment, bool validateOnly)
    {
        lock (_gate)
        {
            var current = topic.Partitions.Count;
            if (totalCount < current)
            {
                return (ErrorCode.InvalidPartitions, $"Topic currently has {current} partitions, which is higher than the requested {totalCount}.");
            }

            if (totalCount == current)
            {
                return (ErrorCode.InvalidPartitions, $"Topic already has {current} partitions.");
            }

            var factor = topic.Partitions[0].Leadership.Replicas.Length;
            int[][] replicas;
            if (assignment is { Count: > 0 })
            {
                if (assignment.Count != totalCount - current)
                {
                    return (ErrorCode.InvalidReplicaAssignment, $"Increasing the number of partitions by {totalCount - current} but {assignment.Count} assignments provided.");
                }

                if (ValidateAssignment(assignment, current) is { } error)
                {
                    return (ErrorCode.InvalidReplicaAssignment, error);
                }

                if (assignment[0].Length != factor)
                {
                    return (ErrorCode.InvalidReplicaAssignment, $"Inconsistent replication factor between partitions, partition 0 has {factor} while partitions [{current}] have replication factors [{assignment[0].Length}], respectively.");
                }

                replicas = assignment.Select(a => a.ToArray()).ToArray();
            }
            else
            {
                if (factor > AliveNodeCount)
                {
                    return (ErrorCode.InvalidReplicationFactor, $"Replication factor: {factor} larger than available brokers: {AliveNodeCount}.");
                }

                replicas = AssignReplicas(totalCount - current, (short)factor, current + topic.Name.Length);
            }

            if (validateOnly)
            {
                return (ErrorCode.None, null);
            }

            topic.AddPartitions(replicas.Select((r, i) => NewPartition(topic, current + i, r, 0, [])).ToList());
            Persist();
            BrokerLogging.PartitionsAdded(_logger, topic.Name, replicas.Length);
            return (ErrorCode.None, null);
        }
    }

    /// <summary>Replaces a topic's config overrides after validating each.</summary>
    public (ErrorCode Error, string? Message) SetTopicConfigs(TopicState topic, IReadOnlyDictionary<string, string> overrides, bool validateOnly)
    {
        foreach (var (key, value) in overrides)
        {
            if (!TopicConfigDefinitions.TryGet(key, out var definition))
            {
                return (ErrorCode.InvalidConfig, $"Unknown topic config name: {key}");
            }

            if (definition.Validate(value) is { } error)
            {
                return (ErrorCode.InvalidConfig, error);
            }
        }

        if (validateOnly)
        {
            return (ErrorCode.None, null);
        }

        lock (_gate)
        {
            topic.SetConfig(topic.Config.With(overrides));
            Persist();
            BrokerLogging.TopicConfigsAltered(_logger, topic.Name, string.Join(", ", overrides.Select(kv => $"{kv.Key}={kv.Value}")));
        }

        return (ErrorCode.None, null);
    }

    /// <summary>Marks a node stopped and moves leadership of its partitions to live in-sync replicas.</summary>
    public void OnNodeStopped(BrokerNode node)
    {
        var changed = new List<Partition>();
        lock (_gate)
        {
            node.IsAlive = false;
            foreach (var topic in _topicsByName.Values)
            {
                foreach (var partition in topic.Partitions)
                {
                    if (partition.OnNodeStopped(node.Id, closeLog: _logs.IsDurable) is { } moved)
                    {
                        BrokerLogging.LeaderMoved(_logger, topic.Name, partition.Index, moved.OldLeader, moved.NewLeader, partition.Leadership.LeaderEpoch);
                        changed.Add(partition);
                    }
                }
            }

            Persist();
        }

        RaiseLeaderChanged(changed);
    }

    /// <summary>Marks a node running again; its replicas catch up and rejoin the ISR.</summary>
    public void OnNodeStarted(BrokerNode node)
    {
        var changed = new List<Partition>();
        lock (_gate)
        {
            node.IsAlive = true;
            foreach (var topic in _topicsByName.Values)
            {
                foreach (var partition in topic.Partitions)
                {
                    if (partition.OnNodeStarted(node.Id) is { } moved)
                    {
                        BrokerLogging.LeaderMoved(_logger, topic.Name, partition.Index, moved.OldLeader, moved.NewLeader, partition.Leadership.LeaderEpoch);
                        changed.Add(partition);
                    }
                }
            }

            Persist();
        }

        RaiseLeaderChanged(changed);
    }

    /// <summary>
    /// Raised after a partition's leader changed because a node stopped or started (the new leader
    /// is in <see cref="Partition.Leadership"/>, -1 when offline), outside the cluster lock. The
    /// group coordinator uses it to move group state to the new leader.
    /// </summary>
    public event Action<Partition>? LeaderChanged;

    private void RaiseLeaderChanged(List<Partition> changed)
    {
        foreach (var partition in changed)
        {
            LeaderChanged?.Invoke(partition);
        }
    }

    /// <summary>Runs retention and the flush policy on every partition.</summary>
    public void Housekeeping()
    {
        foreach (var topic in _topicsByName.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                partition.Housekeeping();
            }
        }
    }

    /// <summary>
    /// Marks a node of a starting broker running, before any topic is loaded: there is no leadership to move
    /// yet (<see cref="OnNodeStarted"/> is for a node started again later).
    /// </summary>
    public void OnNodeBound(BrokerNode node)
    {
        lock (_gate)
        {
            node.IsAlive = true;
        }
    }

    /// <summary>Marks every node stopped, then flushes and closes every log (broker shutdown).</summary>
    public void CloseAll()
    {
        lock (_gate)
        {
            foreach (var node in Nodes)
            {
                node.IsAlive = false;
            }

            Persist();
            foreach (var topic in _topicsByName.Values)
            {
                foreach (var partition in topic.Partitions)
                {
                    partition.Close();
                }
            }
        }
    }

    /// <summary>Hands out a producer id never given before (InitProducerId); persisted with the metadata.</summary>
    public long AllocateProducerId()
    {
        lock (_gate)
        {
            var id = _nextProducerId++;
            Persist();
            return id;
        }
    }

    private void Persist() => _store?.Save(ClusterId, _nextProducerId, _topicsByName.Values);
}

/// <summary>The result of CreateTopics for one topic.</summary>
internal sealed record CreateTopicOutcome(ErrorCode Error, string? Message, TopicState? Topic, int Partitions, short ReplicationFactor, TopicConfig? Config)
{
    public static CreateTopicOutcome Failed(ErrorCode error, string message) => new(error, message, null, -1, -1, null);
}

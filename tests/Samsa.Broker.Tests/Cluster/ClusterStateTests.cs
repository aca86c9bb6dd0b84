using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;
using Samsa.Broker.Security;
using Samsa.Broker.Tests.Support;
using Samsa.Protocol;

namespace Samsa.Broker.Tests.Cluster;

/// <summary>
/// <see cref="ClusterState"/> on its own, without a broker or a socket: nodes and their liveness,
/// topics by name and id, partitions, configs (topic and dynamic broker defaults, down to each
/// partition's settings), leadership moves and the <see cref="ClusterState.LeaderChanged"/> event,
/// producer ids, and what a data directory keeps across a restart.
/// </summary>
public sealed class ClusterStateTests : IDisposable
{
    private readonly List<IDisposable> _logs = [];
    private readonly List<DirectoryInfo> _directories = [];

    public void Dispose()
    {
        foreach (var logs in _logs)
        {
            logs.Dispose();
        }

        foreach (var directory in _directories)
        {
            directory.Delete(recursive: true);
        }
    }

    private ClusterState Start(int nodes = 3, Action<BrokerOptions>? configure = null, bool bind = true)
    {
        var options = new BrokerOptions { NodeCount = nodes, DefaultReplicationFactor = (short)Math.Min(nodes, 3), DefaultPartitions = 1 };
        configure?.Invoke(options);
        var logs = new ReplicaLogFactory(options, NullLoggerFactory.Instance);
        _logs.Add(logs);
        var store = options.DataDirectory is { } directory ? new MetadataStore(directory) : null;
        var cluster = new ClusterState(options, logs, store, NullLogger.Instance)
        {
            ScramCredentials = new ScramCredentialAdministration(options.Security.Users, null),
        };
        if (bind)
        {
            foreach (var node in cluster.Nodes)
            {
                cluster.OnNodeBound(node);
            }
        }

        cluster.LoadPersistedTopics();
        return cluster;
    }

    private static TopicState Create(ClusterState cluster, string name, int partitions = 1, short replicationFactor = -1, IReadOnlyDictionary<string, string?>? configs = null)
    {
        var outcome = cluster.CreateTopic(name, partitions, replicationFactor, null, configs ?? new Dictionary<string, string?>(), validateOnly: false);
        Assert.Equal(ErrorCode.None, outcome.Error);
        return outcome.Topic!;
    }

    [Fact]
    public void Nodes_AreNumberedAndStoppedUntilBound()
    {
        var cluster = Start(nodes: 3, o => o.ClusterId = "fixed-id", bind: false);

        Assert.Equal([0, 1, 2], cluster.Nodes.Select(n => n.Id));
        Assert.Equal("fixed-id", cluster.ClusterId);
        Assert.All(cluster.Nodes, n => Assert.False(n.IsAlive));
        Assert.Equal(0, cluster.AliveNodeCount);
        Assert.Equal(-1, cluster.ControllerId);

        cluster.OnNodeBound(cluster.Nodes[1]);

        Assert.True(cluster.IsAlive(1));
        Assert.False(cluster.IsAlive(0));
        Assert.False(cluster.IsAlive(7));
        Assert.False(cluster.IsAlive(-1));
        Assert.Equal(1, cluster.ControllerId);
        Assert.Equal(1, cluster.AliveNodeCount);
    }

    [Fact]
    public void CreateTopic_FoundByNameAndById_WithReplicasSpreadOverTheNodes()
    {
        var cluster = Start(nodes: 3);

        var topic = Create(cluster, "orders", partitions: 3, replicationFactor: 2);

        Assert.True(cluster.TryGetTopic("orders", out var byName));
        Assert.True(cluster.TryGetTopic(topic.Id, out var byId));
        Assert.Same(topic, byName);
        Assert.Same(topic, byId);
        Assert.NotEqual(Guid.Empty, topic.Id);
        Assert.Equal(3, topic.Partitions.Count);
        Assert.All(topic.Partitions, p =>
        {
            Assert.Equal("orders", p.Topic);
            Assert.Equal(topic.Id, p.TopicId);
            Assert.Equal(2, p.Leadership.Replicas.Length);
            Assert.Equal(2, p.Leadership.Replicas.Distinct().Count());
            Assert.Equal(p.Leadership.Replicas, p.Leadership.Isr);
            Assert.Equal(p.Leadership.Replicas[0], p.Leadership.LeaderId);
        });
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.Leadership.LeaderId).Order());
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.Index));
        Assert.Same(topic, Assert.Single(cluster.Topics));
    }

    [Fact]
    public void CreateTopic_Defaults_TakeTheBrokerOptionsCappedByTheNodeCount()
    {
        var cluster = Start(nodes: 2, o =>
        {
            o.DefaultPartitions = 4;
            o.DefaultReplicationFactor = 3;
        });

        var topic = Create(cluster, "defaults", partitions: -1, replicationFactor: -1);

        Assert.Equal(4, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(2, p.Leadership.Replicas.Length));
    }

    [Fact]
    public void CreateTopic_Refusals_CreateNothing()
    {
        var cluster = Start(nodes: 2);
        var none = new Dictionary<string, string?>();
        Create(cluster, "taken");

        Assert.Equal(ErrorCode.TopicAlreadyExists, cluster.CreateTopic("taken", 1, 1, null, none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, cluster.CreateTopic("bad/name", 1, 1, null, none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, cluster.CreateTopic("..", 1, 1, null, none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidTopicException, cluster.CreateTopic(new string('a', 250), 1, 1, null, none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidConfig, cluster.CreateTopic("c1", 1, 1, null, new Dictionary<string, string?> { ["no.such.config"] = "1" }, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidConfig, cluster.CreateTopic("c2", 1, 1, null, new Dictionary<string, string?> { ["retention.ms"] = "soon" }, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidPartitions, cluster.CreateTopic("p0", 0, 1, null, none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, cluster.CreateTopic("r0", 1, 0, null, none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, cluster.CreateTopic("r3", 1, 3, null, none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidRequest, cluster.CreateTopic("both", 1, -1, [[0]], none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, cluster.CreateTopic("dup", -1, -1, [[0, 0]], none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, cluster.CreateTopic("unknown", -1, -1, [[0, 5]], none, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, cluster.CreateTopic("ragged", -1, -1, [[0, 1], [1]], none, validateOnly: false).Error);

        var validated = cluster.CreateTopic("checked", 2, 2, null, none, validateOnly: true);
        Assert.Equal(ErrorCode.None, validated.Error);
        Assert.Null(validated.Topic);
        Assert.Equal((2, (short)2), (validated.Partitions, validated.ReplicationFactor));

        Assert.Equal(["taken"], cluster.Topics.Select(t => t.Name));
    }

    [Fact]
    public void CreateTopic_ExplicitAssignment_IsKept()
    {
        var cluster = Start(nodes: 3);

        var outcome = cluster.CreateTopic("placed", -1, -1, [[2, 0], [1, 2]], new Dictionary<string, string?>(), validateOnly: false);

        Assert.Equal(ErrorCode.None, outcome.Error);
        Assert.Equal(["2,0", "1,2"], outcome.Topic!.Partitions.Select(p => string.Join(',', p.Leadership.Replicas)));
        Assert.Equal([2, 1], outcome.Topic.Partitions.Select(p => p.Leadership.LeaderId));
    }

    [Fact]
    public void DeleteTopic_RemovesItByNameAndById_AndTheNameCanBeUsedAgain()
    {
        var cluster = Start(nodes: 2);
        var topic = Create(cluster, "gone", partitions: 2);

        cluster.DeleteTopic(topic);

        Assert.True(topic.IsDeleted);
        Assert.False(cluster.TryGetTopic("gone", out _));
        Assert.False(cluster.TryGetTopic(topic.Id, out _));
        Assert.Empty(cluster.Topics);

        cluster.DeleteTopic(topic);
        var again = Create(cluster, "gone");
        Assert.NotEqual(topic.Id, again.Id);
        Assert.False(again.IsDeleted);
        Assert.True(cluster.TryGetTopic("gone", out var found));
        Assert.Same(again, found);
        Assert.False(cluster.TryGetTopic(topic.Id, out _));
    }

    [Fact]
    public void CreatePartitions_OnlyGrows()
    {
        var cluster = Start(nodes: 2);
        var topic = Create(cluster, "growing", partitions: 2, replicationFactor: 2);

        Assert.Equal(ErrorCode.InvalidPartitions, cluster.CreatePartitions(topic, 1, null, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidPartitions, cluster.CreatePartitions(topic, 2, null, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, cluster.CreatePartitions(topic, 3, [[0]], validateOnly: false).Error);
        Assert.Equal(ErrorCode.None, cluster.CreatePartitions(topic, 5, null, validateOnly: true).Error);
        Assert.Equal(2, topic.Partitions.Count);

        Assert.Equal(ErrorCode.None, cluster.CreatePartitions(topic, 4, [[1, 0], [0, 1]], validateOnly: false).Error);

        Assert.Equal([0, 1, 2, 3], topic.Partitions.Select(p => p.Index));
        Assert.Equal([1, 0], topic.Partitions[2].Leadership.Replicas);
        Assert.All(topic.Partitions, p => Assert.Equal(topic.Id, p.TopicId));
    }

    [Fact]
    public void SetTopicConfigs_ReachesTheTopicAndEveryPartition()
    {
        var cluster = Start(nodes: 2);
        var topic = Create(cluster, "configured", partitions: 2, replicationFactor: 2);
        var partition = topic.Partitions[0];
        Assert.Equal(1, partition.Config.MinInsyncReplicas);

        Assert.Equal(ErrorCode.InvalidConfig, cluster.SetTopicConfigs(topic, new Dictionary<string, string> { ["no.such.config"] = "1" }, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidConfig, cluster.SetTopicConfigs(topic, new Dictionary<string, string> { ["min.insync.replicas"] = "0" }, validateOnly: false).Error);
        Assert.Equal(ErrorCode.None, cluster.SetTopicConfigs(topic, new Dictionary<string, string> { ["min.insync.replicas"] = "2" }, validateOnly: true).Error);
        Assert.Empty(topic.Config.Overrides);

        var changes = new Dictionary<string, string> { ["min.insync.replicas"] = "2", ["retention.ms"] = "1000", ["max.message.bytes"] = "2048" };
        Assert.Equal(ErrorCode.None, cluster.SetTopicConfigs(topic, changes, validateOnly: false).Error);

        Assert.Equal(changes.OrderBy(kv => kv.Key, StringComparer.Ordinal), topic.Config.Overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(2, topic.Config.MinInsyncReplicas);
        Assert.All(topic.Partitions, p =>
        {
            Assert.Equal(2, p.Config.MinInsyncReplicas);
            Assert.Equal(1000, p.Config.RetentionMs);
            Assert.Equal(2048, p.Config.MaxMessageBytes);
        });
    }

    [Fact]
    public void MinInsyncReplicas_SetOnTheTopic_RefusesAcksAllWhenTheIsrIsTooSmall()
    {
        var cluster = Start(nodes: 2);
        var topic = Create(cluster, "strict", partitions: 1, replicationFactor: 2);
        var partition = topic.Partitions[0];
        cluster.SetTopicConfigs(topic, new Dictionary<string, string> { ["min.insync.replicas"] = "2" }, validateOnly: false);
        Assert.Equal(ErrorCode.None, partition.Append(partition.Leadership.LeaderId, Batches.Build(1), acks: -1).Error);

        cluster.OnNodeStopped(cluster.Nodes[1 - partition.Leadership.LeaderId]);

        Assert.Single(partition.Leadership.Isr);
        Assert.Equal(ErrorCode.NotEnoughReplicas, partition.Append(partition.Leadership.LeaderId, Batches.Build(1), acks: -1).Error);
        Assert.Equal(ErrorCode.None, partition.Append(partition.Leadership.LeaderId, Batches.Build(1), acks: 1).Error);

        cluster.SetTopicConfigs(topic, new Dictionary<string, string>(), validateOnly: false);

        Assert.Equal(ErrorCode.None, partition.Append(partition.Leadership.LeaderId, Batches.Build(1), acks: -1).Error);
    }

    [Fact]
    public void DynamicBrokerDefaults_ChangeEveryTopicThatDoesNotOverrideThem()
    {
        var cluster = Start(nodes: 1);
        var plain = Create(cluster, "plain");
        var own = Create(cluster, "own", configs: new Dictionary<string, string?> { ["retention.ms"] = "5000" });

        Assert.Equal(ErrorCode.InvalidConfig, cluster.SetDynamicBrokerConfigs(null, new Dictionary<string, string> { ["broker.id"] = "3" }, validateOnly: false).Error);
        Assert.Equal(ErrorCode.InvalidConfig, cluster.SetDynamicBrokerConfigs(null, new Dictionary<string, string> { ["log.retention.ms"] = "soon" }, validateOnly: false).Error);
        Assert.Equal(ErrorCode.None, cluster.SetDynamicBrokerConfigs(null, new Dictionary<string, string> { ["log.retention.ms"] = "7000" }, validateOnly: false).Error);

        Assert.Equal("7000", cluster.DynamicBrokerConfigs(null)["log.retention.ms"]);
        Assert.Equal(7000, plain.Config.RetentionMs);
        Assert.Equal(7000, plain.Partitions[0].Config.RetentionMs);
        Assert.Equal(("7000", ConfigSource.DynamicDefaultBrokerConfig), plain.Config.Resolve(Definition("retention.ms")));
        Assert.Equal(5000, own.Config.RetentionMs);
        Assert.Equal(5000, own.Partitions[0].Config.RetentionMs);

        Assert.Equal(ErrorCode.None, cluster.SetDynamicBrokerConfigs(0, new Dictionary<string, string> { ["num.io.threads"] = "4" }, validateOnly: false).Error);
        Assert.Equal("4", cluster.DynamicBrokerConfigs(0)["num.io.threads"]);
        Assert.Empty(cluster.DynamicBrokerConfigs(1));
        Assert.Equal(7000, plain.Config.RetentionMs);
    }

    private static TopicConfigDefinition Definition(string name)
    {
        Assert.True(TopicConfigDefinitions.TryGet(name, out var definition));
        return definition;
    }

    [Fact]
    public void OnNodeStopped_MovesLeadershipOfItsPartitions_AndRaisesLeaderChangedOutsideTheLock()
    {
        var cluster = Start(nodes: 3);
        var topic = Create(cluster, "moving", partitions: 3, replicationFactor: 2);
        var stopped = cluster.Nodes[0];
        var ledByStopped = topic.Partitions.Where(p => p.Leadership.LeaderId == 0).ToList();
        var followedByStopped = topic.Partitions.Where(p => p.Leadership.LeaderId != 0 && p.Leadership.Replicas.Contains(0)).ToList();
        Assert.NotEmpty(ledByStopped);
        Assert.NotEmpty(followedByStopped);
        var epochs = ledByStopped.ToDictionary(p => p.Index, p => p.Leadership.LeaderEpoch);
        var raised = new List<(int Partition, int Leader, bool LockFree)>();
        cluster.LeaderChanged += partition =>
        {
            // Another thread can take the cluster lock only if the event is raised outside it.
            var lockFree = Task.Run(() => cluster.AllocateProducerId()).Wait(TimeSpan.FromSeconds(10));
            raised.Add((partition.Index, partition.Leadership.LeaderId, lockFree));
        };

        cluster.OnNodeStopped(stopped);

        Assert.False(stopped.IsAlive);
        Assert.False(cluster.IsAlive(0));
        Assert.Equal(2, cluster.AliveNodeCount);
        Assert.Equal(1, cluster.ControllerId);
        Assert.Equal(
            ledByStopped.Select(p => (p.Index, p.Leadership.Replicas[1], true)).Order(),
            raised.Order());
        Assert.All(ledByStopped, p =>
        {
            Assert.Equal(p.Leadership.Replicas[1], p.Leadership.LeaderId);
            Assert.Equal(epochs[p.Index] + 1, p.Leadership.LeaderEpoch);
            Assert.Equal([p.Leadership.Replicas[1]], p.Leadership.Isr);
        });
        Assert.All(followedByStopped, p => Assert.DoesNotContain(0, p.Leadership.Isr));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, ledByStopped[0].Append(0, Batches.Build(1), acks: 1).Error);
    }

    [Fact]
    public void OnNodeStopped_LastReplica_LeavesThePartitionOffline_UntilTheNodeStartsAgain()
    {
        var cluster = Start(nodes: 2);
        var topic = Create(cluster, "single", partitions: 1, replicationFactor: 1);
        var partition = topic.Partitions[0];
        var node = cluster.Nodes[partition.Leadership.LeaderId];
        Assert.Equal(ErrorCode.None, partition.Append(node.Id, Batches.Build(3), acks: 1).Error);
        var raised = new List<int>();
        cluster.LeaderChanged += p => raised.Add(p.Leadership.LeaderId);

        cluster.OnNodeStopped(node);

        Assert.Equal([-1], raised);
        Assert.Equal(-1, partition.Leadership.LeaderId);

        cluster.OnNodeStarted(node);

        Assert.True(node.IsAlive);
        Assert.Equal([-1, node.Id], raised);
        Assert.Equal(node.Id, partition.Leadership.LeaderId);
        Assert.Equal(3, partition.HighWatermark);
    }

    [Fact]
    public void OnNodeStarted_FollowerRejoinsTheIsr_WithoutMovingLeadership()
    {
        var cluster = Start(nodes: 2);
        var topic = Create(cluster, "rejoin", partitions: 1, replicationFactor: 2);
        var partition = topic.Partitions[0];
        var leader = partition.Leadership.LeaderId;
        var follower = cluster.Nodes[1 - leader];
        cluster.OnNodeStopped(follower);
        Assert.Equal(ErrorCode.None, partition.Append(leader, Batches.Build(2), acks: 1).Error);
        var raised = 0;
        cluster.LeaderChanged += _ => raised++;

        cluster.OnNodeStarted(follower);

        Assert.True(follower.IsAlive);
        Assert.Equal(2, cluster.AliveNodeCount);
        Assert.Equal(0, raised);
        Assert.Equal(leader, partition.Leadership.LeaderId);
        Assert.Equal(partition.Leadership.Replicas.Order(), partition.Leadership.Isr.Order());

        // It caught up while rejoining: when the leader stops, it takes over with every record.
        cluster.OnNodeStopped(cluster.Nodes[leader]);

        Assert.Equal(1, raised);
        Assert.Equal(follower.Id, partition.Leadership.LeaderId);
        Assert.Equal(2, partition.LogEndOffset);
        Assert.Equal(2, partition.HighWatermark);
    }

    [Fact]
    public void CreateTopic_NeedsEnoughLiveNodes_AndPlacesReplicasOnLiveOnes()
    {
        var cluster = Start(nodes: 3);
        cluster.OnNodeStopped(cluster.Nodes[1]);

        Assert.Equal(ErrorCode.InvalidReplicationFactor, cluster.CreateTopic("wide", 1, 3, null, new Dictionary<string, string?>(), validateOnly: false).Error);
        var topic = Create(cluster, "narrow", partitions: 4, replicationFactor: 2);

        Assert.All(topic.Partitions, p => Assert.DoesNotContain(1, p.Leadership.Replicas));
    }

    [Fact]
    public void AllocateProducerId_IsMonotonicAndNeverRepeats()
    {
        var cluster = Start(nodes: 1);

        var first = Enumerable.Range(0, 5).Select(_ => cluster.AllocateProducerId()).ToList();
        var concurrent = new long[400];
        Parallel.For(0, concurrent.Length, i => concurrent[i] = cluster.AllocateProducerId());

        Assert.Equal([0, 1, 2, 3, 4], first);
        Assert.Equal(Enumerable.Range(5, 400).Select(i => (long)i), concurrent.Order());
        Assert.Equal(405, cluster.AllocateProducerId());
    }

    [Fact]
    public void CloseAll_StopsEveryNode()
    {
        var cluster = Start(nodes: 2);
        Create(cluster, "closing", partitions: 2, replicationFactor: 2);

        cluster.CloseAll();

        Assert.All(cluster.Nodes, n => Assert.False(n.IsAlive));
        Assert.Equal(-1, cluster.ControllerId);
    }

    [Fact]
    public void DataDirectory_KeepsClusterIdTopicsConfigsAndProducerIds()
    {
        var directory = Directory.CreateTempSubdirectory("samsa-cluster-state-");
        _directories.Add(directory);
        void Persistent(BrokerOptions o) => o.DataDirectory = directory.FullName;
        var before = Start(nodes: 2, Persistent);
        var topic = Create(before, "kept", partitions: 2, replicationFactor: 2, configs: new Dictionary<string, string?> { ["retention.ms"] = "12345" });
        Assert.Equal(ErrorCode.None, topic.Partitions[0].Append(topic.Partitions[0].Leadership.LeaderId, Batches.Build(4), acks: -1).Error);
        Assert.Equal(ErrorCode.None, before.SetDynamicBrokerConfigs(null, new Dictionary<string, string> { ["log.segment.bytes"] = "1048576" }, validateOnly: false).Error);
        before.AllocateProducerId();
        before.AllocateProducerId();
        before.OnNodeStopped(before.Nodes[topic.Partitions[0].Leadership.LeaderId]);
        var epoch = topic.Partitions[0].Leadership.LeaderEpoch;
        before.CloseAll();
        _logs[^1].Dispose();
        _logs.RemoveAt(_logs.Count - 1);

        var after = Start(nodes: 2, Persistent);

        Assert.Equal(before.ClusterId, after.ClusterId);
        Assert.True(after.TryGetTopic("kept", out var reloaded));
        Assert.Equal(topic.Id, reloaded.Id);
        Assert.True(after.TryGetTopic(topic.Id, out _));
        Assert.Equal(2, reloaded.Partitions.Count);
        Assert.Equal("12345", reloaded.Config.Overrides["retention.ms"]);
        Assert.Equal(12345, reloaded.Partitions[1].Config.RetentionMs);
        Assert.Equal(1_048_576, reloaded.Config.SegmentBytes);
        Assert.Equal(4, reloaded.Partitions[0].HighWatermark);
        Assert.True(reloaded.Partitions[0].Leadership.LeaderEpoch > epoch);
        Assert.Equal(2, after.AllocateProducerId());
    }
}

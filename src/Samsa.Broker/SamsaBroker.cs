using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Broker.Cluster;
using Samsa.Broker.Control;
using Samsa.Broker.Diagnostics;
using Samsa.Broker.Groups;
using Samsa.Broker.Handlers;
using Samsa.Broker.Network;
using Samsa.Broker.Replication;
using Samsa.Broker.Security;
using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;

namespace Samsa.Broker;

/// <summary>
/// An embedded, Kafka-wire-compatible broker: one or more nodes in this process, each on its own
/// port. Real Kafka clients connect to <see cref="BootstrapServers"/> unchanged.
/// <code>await using var broker = await SamsaBroker.StartAsync(new BrokerOptions());</code>
/// It is meant for development and tests; production means a real Kafka cluster.
/// </summary>
public sealed class SamsaBroker : IAsyncDisposable
{
    private readonly BrokerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IReplicaLogFactory _logs;
    private readonly ClusterState _cluster;
    private readonly BrokerControl _control;

    /// <summary>Each node's listener, by node id; null while the node is stopped.</summary>
    private readonly BrokerListener?[] _listeners;
    private readonly HandlerRegistry _handlers;
    private readonly ApiVersionsHandler _apiVersions;
    private readonly GroupCoordinator _groups;
    private readonly TransactionCoordinator _transactions;
    private readonly ITimer _heartbeat;
    private readonly SemaphoreSlim _nodeGate = new(1, 1);
    private int _disposed;

    private SamsaBroker(BrokerOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Samsa.Broker");
        var store = options.DataDirectory is null ? null : new MetadataStore(options.DataDirectory);
        _logs = new ReplicaLogFactory(options, loggerFactory);
        _cluster = new ClusterState(options, _logs, store, _logger) 
        {
            Authorizer = CreateAuthorizer(options),
            ScramCredentials = new ScramCredentialAdministration(options.Security.Users, options.DataDirectory is { } directory ? new ScramCredentialStore(directory) : null),
        };
        _listeners = new BrokerListener?[_cluster.Nodes.Count];
        _control = new BrokerControl(DropConnections);
        HandlerRegistry? registry = null;
        _apiVersions = new ApiVersionsHandler(() => registry!);
        _groups = new GroupCoordinator(_cluster, loggerFactory.CreateLogger("Samsa.Broker.Groups"));
        _transactions = new TransactionCoordinator(_cluster, _groups, loggerFactory.CreateLogger("Samsa.Broker.Transactions"));
        registry = new HandlerRegistry(BrokerHandlers.Create(_apiVersions, _groups, _transactions));
        _handlers = registry;
        _heartbeat = options.TimeProvider.CreateTimer(_ => Heartbeat(), null, BrokerDefaults.HeartbeatInterval, BrokerDefaults.HeartbeatInterval);
    }

    /// <summary>The nodes of this broker, by id.</summary>
    public IReadOnlyList<BrokerNode> Nodes => _cluster.Nodes;

    /// <summary>Comma-separated <c>host:port</c> of every running node, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => string.Join(',', _cluster.Nodes.Where(n => n.IsAlive).Select(n => n.Address));

    /// <summary>The cluster id reported in Metadata and DescribeCluster responses.</summary>
    public string ClusterId => _cluster.ClusterId;

    internal ClusterState Cluster => _cluster;

    internal HandlerRegistry Handlers => _handlers;

    /// <summary>Test hooks: the request interceptor every connection consults, and cutting connections.</summary>
    internal BrokerControl Control => _control;

    /// <summary>The listener of node <paramref name="nodeId"/>; null while it is stopped.</summary>
    internal BrokerListener? ListenerOf(int nodeId) => _listeners[nodeId];

    /// <summary>The ACL authorizer when <see cref="Security.BrokerSecurityOptions.EnableAuthorizer"/> is set; ACLs persist with the data directory.</summary>
    private static AclAuthorizer? CreateAuthorizer(BrokerOptions options) =>
        options.Security.EnableAuthorizer
            ? new AclAuthorizer(options.Security.SuperUsers, options.Security.AllowEveryoneIfNoAclFound, options.DataDirectory is { } directory ? new AclStore(directory) : null)
            : null;

    internal GroupCoordinator Groups => _groups;

    internal TransactionCoordinator Transactions => _transactions;

    /// <summary>
    /// Starts every node and recovers persisted topics when a data directory is set. Each node's port
    /// is bound first, but no request is served until every node has loaded its logs, topic metadata
    /// and group and transaction coordinator state: a client never sees an existing topic as missing.
    /// </summary>
    public static Task<SamsaBroker> StartAsync(BrokerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, loggerFactory, beforeLoading: null, cancellationToken);

    /// <summary>
    /// <see cref="StartAsync(BrokerOptions, ILoggerFactory?, CancellationToken)"/> with a hook that runs
    /// once the ports are bound and before anything is loaded: tests hold it to race clients against the load.
    /// </summary>
    internal static async Task<SamsaBroker> StartAsync(BrokerOptions options, ILoggerFactory? loggerFactory, Func<SamsaBroker, Task>? beforeLoading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        BrokerOptionsValidator.ThrowIfInvalid(options);
        var broker = new SamsaBroker(options, loggerFactory ?? NullLoggerFactory.Instance);
        try
        {
            foreach (var node in broker._cluster.Nodes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                node.Port = options.Port == 0 ? 0 : options.Port + node.Id;
                broker.BindListener(node);
                broker._cluster.OnNodeBound(node);
            }

            if (beforeLoading is not null)
            {
                await beforeLoading(broker).ConfigureAwait(false);
            }

            broker._cluster.LoadPersistedTopics();
            broker.CreateSeedTopics();
            await broker._groups.StartAsync().ConfigureAwait(false);
            await broker._transactions.StartAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var node in broker._cluster.Nodes)
            {
                broker._listeners[node.Id]!.StartAccepting();
            }
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return broker;
    }

    /// <summary>Cuts, on every running node, the connections whose id <paramref name="match"/> accepts (<see cref="BrokerControl.DropConnections"/>).</summary>
    private int DropConnections(Func<long, bool> match)
    {
        var dropped = 0;
        foreach (var listener in _listeners)
        {
            dropped += listener?.AbortConnections(match, ConnectionEndReason.DroppedByControl) ?? 0;
        }

        return dropped;
    }

    private void CreateSeedTopics()
    {
        foreach (var (name, partitions) in _options.SeedTopics)
        {
            if (!_cluster.TryGetTopic(name, out _))
            {
                var outcome = _cluster.CreateTopic(name, partitions, -1, null, new Dictionary<string, string?>(), validateOnly: false);
                if (outcome.Error != Protocol.ErrorCode.None)
                {
                    throw new InvalidOperationException($"Seed topic '{name}' could not be created: {outcome.Error}: {outcome.Message}");
                }
            }
        }
    }

    private void BindListener(BrokerNode node)
    {
        var address = IPAddress.Parse(_options.Host == "localhost" ? "127.0.0.1" : _options.Host);
        var logger = _loggerFactory.CreateLogger("Samsa.Broker.Network");
        var listener = BrokerListener.Bind(
            new IPEndPoint(address, node.Port),
            node.Id,
            socket => new BrokerConnection(socket, node, _cluster, _handlers, _control, _apiVersions, logger, _options.TimeProvider, _options.MaxRequestSize),
            logger);
        _listeners[node.Id] = listener;
        node.Port = listener.EndPoint.Port;
    }

    /// <summary>
    /// Stops one node as a crash would: its connections are cut, its partitions' leadership moves to
    /// live in-sync replicas, and clients see NOT_LEADER_OR_FOLLOWER until they refresh metadata.
    /// </summary>
    public async Task StopNodeAsync(int nodeId)
    {
        await _nodeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var node = _cluster.Nodes[nodeId];
            if (!node.IsAlive)
            {
                return;
            }

            _cluster.OnNodeStopped(node);
            if (_listeners[nodeId] is { } listener)
            {
                _listeners[nodeId] = null;
                await listener.StopAsync(graceful: false, TimeSpan.Zero, ConnectionEndReason.NodeStopped).ConfigureAwait(false);
            }

            BrokerLogging.NodeStopped(_logger, nodeId);
        }
        finally
        {
            _nodeGate.Release();
        }
    }

    /// <summary>Starts a stopped node again on its old port; its replicas catch up and rejoin the ISR.</summary>
    public async Task StartNodeAsync(int nodeId)
    {
        await _nodeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var node = _cluster.Nodes[nodeId];
            if (node.IsAlive)
            {
                return;
            }

            // Its logs are opened and caught up before its port serves anyone.
            _cluster.OnNodeStarted(node);
            BindListener(node);
            _listeners[nodeId]!.StartAccepting();
            BrokerLogging.NodeStarted(_logger, nodeId);
        }
        finally
        {
            _nodeGate.Release();
        }
    }

    private void Heartbeat()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            foreach (var listener in _listeners)
            {
                listener?.CloseIdleConnections(_options.IdleConnectionTimeout);
            }

            _cluster.Housekeeping();
        }
        catch (Exception e)
        {
            // A timer callback: an exception escaping it would end the process that embeds the broker.
            _logger.LogWarning(e, "Broker housekeeping failed; retrying at the next heartbeat");
        }
    }

    /// <summary>Stops accepting, lets requests in flight finish (within the shutdown timeout), flushes and closes every log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _heartbeat.DisposeAsync().ConfigureAwait(false);

        // Answers JoinGroup and SyncGroup requests still waiting, so the graceful stop below does not wait for them.
        await _transactions.DisposeAsync().ConfigureAwait(false);
        await _groups.DisposeAsync().ConfigureAwait(false);
        await _nodeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var stops = _listeners
                .OfType<BrokerListener>()
                .Select(l => l.StopAsync(graceful: true, _options.ShutdownTimeout, ConnectionEndReason.ServerShutdown));
            await Task.WhenAll(stops).ConfigureAwait(false);
            Array.Clear(_listeners);

            _cluster.CloseAll();
            _logs.Dispose();
        }
        finally
        {
            _nodeGate.Release();
            _nodeGate.Dispose();
        }
    }
}

namespace Samsa.Broker.Cluster;

/// <summary>One broker of the cluster: its id and advertised address, and whether it is running.</summary>
public sealed class BrokerNode
{
    private bool _isAlive;

    internal BrokerNode(int id, string host)
    {
        Id = id;
        Host = host;
    }

    /// <summary>The node id clients see in metadata (0, 1, ...).</summary>
    public int Id { get; }

    /// <summary>The host the node binds to and advertises.</summary>
    public string Host { get; }

    /// <summary>The port it listens on; fixed at first start so a restarted node keeps its address.</summary>
    public int Port { get; internal set; }

    /// <summary>True while the node accepts connections; false after <see cref="SamsaBroker.StopNodeAsync"/>.</summary>
    /// <remarks>
    /// Owned by <see cref="ClusterState"/>: it alone writes it, under its lock, together with the leadership
    /// changes that follow (OnNodeBound, OnNodeStopped, OnNodeStarted, CloseAll); everyone else only reads.
    /// Volatile because readers (connections, handlers, coordinators) do not take that lock.
    /// </remarks>
    public bool IsAlive
    {
        get => Volatile.Read(ref _isAlive);
        internal set => Volatile.Write(ref _isAlive, value);
    }

    /// <summary><c>host:port</c>.</summary>
    public string Address => $"{Host}:{Port}";

    /// <summary>The id and address, and whether the node is stopped, for logs.</summary>
    public override string ToString() => $"node {Id} ({Address}{(IsAlive ? "" : ", stopped")})";
}

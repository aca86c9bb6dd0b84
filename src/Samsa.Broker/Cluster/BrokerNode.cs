using Samsa.Broker.Network;

namespace Samsa.Broker.Cluster;

/// <summary>One broker of the cluster: its id and advertised address, and whether it is running.</summary>
public sealed class BrokerNode
{
    internal BrokerNode(int id, string host)
    {
        Id = id;
        Host = host;
    }

    public int Id { get; }

    public string Host { get; }

    /// <summary>The port it listens on; fixed at first start so a restarted node keeps its address.</summary>
    public int Port { get; internal set; }

    public bool IsAlive { get; internal set; }

    /// <summary><c>host:port</c>.</summary>
    public string Address => $"{Host}:{Port}";

    internal BrokerListener? Listener { get; set; }

    public override string ToString() => $"node {Id} ({Address}{(IsAlive ? "" : ", stopped")})";
}

namespace Samsa.Broker;

/// <summary>Default values and limits of <see cref="BrokerOptions"/>, matching Apache Kafka's broker defaults where one exists.</summary>
public static class BrokerDefaults
{
    public const int NodeCount = 1;
    public const int MaxNodeCount = 16;
    public const string Host = "127.0.0.1";
    public const int DefaultPartitions = 1;
    public const short DefaultReplicationFactor = 1;

    /// <summary>Kafka's <c>socket.request.max.bytes</c> default, 100 MiB.</summary>
    public const int MaxRequestSize = 104_857_600;

    /// <summary>Kafka's <c>connections.max.idle.ms</c> default.</summary>
    public static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often idle connections and timeouts are checked.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
}

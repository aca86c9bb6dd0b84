using Microsoft.Extensions.Logging;
using Samsa.Broker.Storage;

namespace Samsa.Broker.Replication;

/// <summary>
/// Opens replica logs through one <see cref="LogManager"/> per node: on disk under
/// <c>&lt;data-dir&gt;/node-&lt;id&gt;/</c>, or in memory when there is no data directory.
/// </summary>
internal sealed class ReplicaLogFactory : IReplicaLogFactory
{
    private readonly LogManager[] _managers;

    public ReplicaLogFactory(BrokerOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Samsa.Broker.Storage");
        IsDurable = options.DataDirectory is not null;
        _managers = Enumerable.Range(0, options.NodeCount)
            .Select(node => new LogManager(
                options.DataDirectory is { } root ? new FileLogStorage(NodeDirectory(root, node)) : new MemoryLogStorage(),
                options.TimeProvider,
                logger))
            .ToArray();
    }

    public bool IsDurable { get; }

    public static string NodeDirectory(string dataDirectory, int nodeId) => Path.Combine(dataDirectory, $"node-{nodeId}");

    public PartitionLog Open(int nodeId, string topic, int partition, LogConfig config) =>
        _managers[nodeId].GetOrOpen(topic, partition, config);

    public void Close(int nodeId, string topic, int partition) => _managers[nodeId].Close(topic, partition);

    public void Delete(int nodeId, string topic, int partition) => _managers[nodeId].Delete(topic, partition);

    public void Dispose()
    {
        foreach (var manager in _managers)
        {
            manager.Dispose();
        }
    }
}

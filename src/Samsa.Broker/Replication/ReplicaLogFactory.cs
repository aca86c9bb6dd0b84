using Microsoft.Extensions.Logging;
using Samsa.Broker.Cluster;
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

    public static LogConfig ToLogConfig(TopicConfig config) => new()
    {
        SegmentBytes = config.SegmentBytes,
        SegmentMs = config.SegmentMs,
        RetentionMs = config.RetentionMs,
        RetentionBytes = config.RetentionBytes,
        IndexIntervalBytes = config.IndexIntervalBytes,
        FlushMessages = config.FlushMessages,
        FlushMs = config.FlushMs,
        LogAppendTime = config.LogAppendTime,
        Delete = config.IsDeleted,
        Compact = config.IsCompacted,
        DeleteRetentionMs = config.DeleteRetentionMs,
        MinCompactionLagMs = config.MinCompactionLagMs,
        MinCleanableDirtyRatio = config.MinCleanableDirtyRatio,
    };

    public IReplicaLog Open(int nodeId, string topic, int partition, TopicConfig config) =>
        new StoredReplicaLog(_managers[nodeId], topic, partition, _managers[nodeId].GetOrOpen(topic, partition, ToLogConfig(config)));

    public void Delete(int nodeId, string topic, int partition) => _managers[nodeId].Delete(topic, partition);

    public void Dispose()
    {
        foreach (var manager in _managers)
        {
            manager.Dispose();
        }
    }
}

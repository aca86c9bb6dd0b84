using Samsa.Broker.Replication;

namespace Samsa.Broker.Cluster;

/// <summary>A topic: name, id, configs and partitions. Partitions only grow; configs are replaced whole.</summary>
internal sealed class TopicState(string name, Guid id, TopicConfig config, bool isInternal)
{
    private volatile Partition[] _partitions = [];
    private volatile TopicConfig _config = config;

    public string Name { get; } = name;

    public Guid Id { get; } = id;

    public bool IsInternal { get; } = isInternal;

    public TopicConfig Config => _config;

    public IReadOnlyList<Partition> Partitions => _partitions;

    /// <summary>Set when the topic is deleted, so late requests holding it fail cleanly.</summary>
    public bool IsDeleted { get; private set; }

    public bool TryGetPartition(int index, out Partition partition)
    {
        var partitions = _partitions;
        if ((uint)index < (uint)partitions.Length)
        {
            partition = partitions[index];
            return true;
        }

        partition = null!;
        return false;
    }

    internal void AddPartitions(IEnumerable<Partition> added) => _partitions = [.. _partitions, .. added];

    internal void SetConfig(TopicConfig config)
    {
        _config = config;
        foreach (var partition in _partitions)
        {
            partition.Configure(config.LogConfig);
        }
    }

    internal void MarkDeleted() => IsDeleted = true;
}

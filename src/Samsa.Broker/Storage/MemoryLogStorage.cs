namespace Samsa.Broker.Storage;

/// <summary>
/// Partition logs kept in memory, for fast tests. Data survives closing and reopening a log within
/// this instance, not the process.
/// </summary>
internal sealed class MemoryLogStorage : ILogStorage
{
    private readonly Lock _lock = new();
    private readonly Dictionary<LogPartitionName, MemoryLogDirectory> _directories = [];

    public bool IsDurable => false;

    public IReadOnlyList<LogPartitionName> ListPartitions()
    {
        lock (_lock)
        {
            return [.. _directories.Keys];
        }
    }

    public ILogDirectory OpenDirectory(LogPartitionName partition)
    {
        lock (_lock)
        {
            if (!_directories.TryGetValue(partition, out var directory))
            {
                directory = new MemoryLogDirectory($"memory:{partition.DirectoryName}");
                _directories.Add(partition, directory);
            }

            return directory;
        }
    }

    public bool DeleteDirectory(LogPartitionName partition)
    {
        lock (_lock)
        {
            return _directories.Remove(partition);
        }
    }
}

namespace Samsa.Broker.Storage;

/// <summary>
/// Where partition logs keep their files: <see cref="FileLogStorage"/> (a data directory with one
/// sub-directory per partition) or <see cref="MemoryLogStorage"/> (fast tests). Both hold the same
/// files, so <see cref="PartitionLog"/> and its recovery run the same code on either.
/// </summary>
internal interface ILogStorage
{
    /// <summary>True when data survives the process (on disk).</summary>
    bool IsDurable { get; }

    /// <summary>Partition directories that exist now, e.g. found on disk at start.</summary>
    IReadOnlyList<LogPartitionName> ListPartitions();

    /// <summary>The directory of a partition, created when missing.</summary>
    ILogDirectory OpenDirectory(LogPartitionName partition);

    /// <summary>Deletes a partition's directory and every file in it; false when there was none. Close its log first.</summary>
    bool DeleteDirectory(LogPartitionName partition);
}

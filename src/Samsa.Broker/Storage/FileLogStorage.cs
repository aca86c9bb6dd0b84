using System.Globalization;

namespace Samsa.Broker.Storage;

/// <summary>
/// Partition logs on disk: <c>&lt;data-dir&gt;/&lt;topic&gt;-&lt;partition&gt;/</c>, each holding
/// Kafka-style segment files (<c>00000000000000000000.log</c>, <c>.index</c>, <c>.timeindex</c>).
/// Other files and directories in the data directory are left alone.
/// </summary>
internal sealed class FileLogStorage : ILogStorage
{
    /// <summary>A partition directory being deleted is renamed to <c>&lt;name&gt;.&lt;id&gt;-delete</c> first, so a crash mid-delete never leaves a half partition that looks whole.</summary>
    private const string DeleteSuffix = "-delete";

    public FileLogStorage(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(DataDirectory);
        foreach (var path in Directory.EnumerateDirectories(DataDirectory, "*" + DeleteSuffix))
        {
            if (IsLeftoverOfDelete(Path.GetFileName(path)))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    public string DataDirectory { get; }

    public bool IsDurable => true;

    public IReadOnlyList<LogPartitionName> ListPartitions()
    {
        var found = new List<LogPartitionName>();
        foreach (var path in Directory.EnumerateDirectories(DataDirectory))
        {
            if (LogPartitionName.TryParse(Path.GetFileName(path), out var name))
            {
                found.Add(name);
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Topic, b.Topic) is var byTopic and not 0 ? byTopic : a.Partition.CompareTo(b.Partition));
        return found;
    }

    public ILogDirectory OpenDirectory(LogPartitionName partition) => new DiskLogDirectory(PathOf(partition));

    public bool DeleteDirectory(LogPartitionName partition)
    {
        var path = PathOf(partition);
        if (!Directory.Exists(path))
        {
            return false;
        }

        var doomed = $"{path}.{Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)}{DeleteSuffix}";
        Directory.Move(path, doomed);
        Directory.Delete(doomed, recursive: true);
        return true;
    }

    /// <summary>True for <c>&lt;topic&gt;-&lt;partition&gt;.&lt;32 hex digits&gt;-delete</c> only, so nothing else is ever removed.</summary>
    private static bool IsLeftoverOfDelete(string name)
    {
        const int IdLength = 32;
        var idStart = name.Length - DeleteSuffix.Length - IdLength;
        return idStart > 1
            && name[idStart - 1] == '.'
            && Guid.TryParseExact(name.AsSpan(idStart, IdLength), "N", out _)
            && LogPartitionName.TryParse(name[..(idStart - 1)], out _);
    }

    private string PathOf(LogPartitionName partition) => Path.Combine(DataDirectory, partition.DirectoryName);
}

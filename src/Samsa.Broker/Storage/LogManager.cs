using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Storage;

/// <summary>
/// Owns the partition logs of one storage (a data directory, or memory): opens each at most once,
/// creates, closes and deletes them, and lists the partitions found at start so the broker can
/// bring its topics back. Which topics exist and their configs are the cluster metadata's business,
/// not kept here.
/// </summary>
internal sealed class LogManager : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<LogPartitionName, PartitionLog> _open = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private bool _disposed;

    public LogManager(ILogStorage storage, TimeProvider timeProvider, ILogger logger)
    {
        Storage = storage;
        _time = timeProvider;
        _logger = logger;
    }

    public ILogStorage Storage { get; }

    /// <summary>Partitions that have a log in the storage, open or not (e.g. found on disk at start).</summary>
    public IReadOnlyList<LogPartitionName> ListPartitions() => Storage.ListPartitions();

    /// <summary>The logs open now.</summary>
    public IReadOnlyList<PartitionLog> OpenLogs
    {
        get
        {
            lock (_lock)
            {
                return [.. _open.Values];
            }
        }
    }

    /// <summary>
    /// The open log of <paramref name="topic"/>-<paramref name="partition"/>; opens it first (recovering
    /// what is stored, or creating it empty) with <paramref name="config"/> when it is not open. An
    /// already open log keeps its config: set <see cref="PartitionLog.Config"/> to change it.
    /// </summary>
    public PartitionLog GetOrOpen(string topic, int partition, LogConfig config)
    {
        var name = new LogPartitionName(topic, partition);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_open.TryGetValue(name, out var log))
            {
                log = PartitionLog.Open(Storage.OpenDirectory(name), config, _time, _logger);
                _open.Add(name, log);
            }

            return log;
        }
    }

    public bool TryGet(string topic, int partition, out PartitionLog? log)
    {
        lock (_lock)
        {
            return _open.TryGetValue(new LogPartitionName(topic, partition), out log);
        }
    }

    /// <summary>Closes the log cleanly and keeps its data; false when it was not open.</summary>
    public bool Close(string topic, int partition)
    {
        PartitionLog? log;
        lock (_lock)
        {
            if (!_open.Remove(new LogPartitionName(topic, partition), out log))
            {
                return false;
            }
        }

        log.Dispose();
        return true;
    }

    /// <summary>Closes the log if open and deletes all its data; false when there was none.</summary>
    public bool Delete(string topic, int partition)
    {
        var name = new LogPartitionName(topic, partition);
        lock (_lock)
        {
            if (_open.Remove(name, out var log))
            {
                log.Dispose();
            }

            var deleted = Storage.DeleteDirectory(name);
            if (deleted)
            {
                StorageLogging.LogDeleted(_logger, name.DirectoryName);
            }

            return deleted;
        }
    }

    /// <summary>Closes every open log cleanly.</summary>
    public void Dispose()
    {
        PartitionLog[] logs;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            logs = [.. _open.Values];
            _open.Clear();
        }

        List<Exception>? failures = null;
        foreach (var log in logs)
        {
            try
            {
                log.Dispose();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                (failures ??= []).Add(exception);
            }
        }

        if (failures is not null)
        {
            throw new AggregateException("Some partition logs did not close cleanly; they will be recovered at the next open.", failures);
        }
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

/// <summary>A storage of one kind ("memory" or "file", the latter in a temporary directory removed afterwards), a fake clock and a logger that keeps what it is told.</summary>
internal sealed class StorageTestContext : IDisposable
{
    public const string Memory = "memory";
    public const string File = "file";

    public static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public StorageTestContext(string kind)
    {
        Kind = kind;
        if (kind == File)
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "samsa-storage-tests", Guid.NewGuid().ToString("N"));
            Storage = new FileLogStorage(DataDirectory);
        }
        else
        {
            Storage = new MemoryLogStorage();
        }
    }

    /// <summary>Both storages, for tests that must behave the same on either.</summary>
    public static TheoryData<string> Kinds => [Memory, File];

    public string Kind { get; }

    public string? DataDirectory { get; }

    public ILogStorage Storage { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public ListLogger Logger { get; } = new();

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Path of a file in the directory of t-0 (file storage only).</summary>
    public string PathOf(string fileName, string topic = "t", int partition = 0) =>
        Path.Combine(DataDirectory!, new LogPartitionName(topic, partition).DirectoryName, fileName);

    public PartitionLog Open(LogConfig? config = null, string topic = "t", int partition = 0) =>
        PartitionLog.Open(Storage.OpenDirectory(new LogPartitionName(topic, partition)), config ?? LogConfig.Default, Time, Logger);

    public void Dispose()
    {
        if (DataDirectory is not null && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>Keeps log messages so tests can check what recovery reported.</summary>
    internal sealed class ListLogger : ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<(LogLevel Level, EventId EventId, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, EventId EventId, string Message)> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lock)
            {
                _entries.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}

using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Storage (memory unless given another) that counts flushes, can fail appends to chosen files and can hold up appends, to watch the flush policy, write failures and compaction passes.</summary>
internal sealed class InstrumentedStorage(ILogStorage inner) : ILogStorage
{
    private readonly ILogStorage _inner = inner;
    private int _flushes;

    public InstrumentedStorage()
        : this(new MemoryLogStorage())
    {
    }

    public int Flushes => Volatile.Read(ref _flushes);

    /// <summary>Appends to files whose name matches throw <see cref="IOException"/> (before writing anything).</summary>
    public Func<string, bool>? FailAppends { get; set; }

    /// <summary>Called with the file's name before each append (after <see cref="FailAppends"/>), on the appending thread: a test may block there.</summary>
    public Action<string>? BeforeAppend { get; set; }

    public bool IsDurable => _inner.IsDurable;

    public IReadOnlyList<LogPartitionName> ListPartitions() => _inner.ListPartitions();

    public ILogDirectory OpenDirectory(LogPartitionName partition) => new Directory(this, _inner.OpenDirectory(partition));

    public bool DeleteDirectory(LogPartitionName partition) => _inner.DeleteDirectory(partition);

    private sealed class Directory(InstrumentedStorage owner, ILogDirectory inner) : ILogDirectory
    {
        public string Name => inner.Name;

        public IReadOnlyList<string> ListFiles() => inner.ListFiles();

        public bool Exists(string fileName) => inner.Exists(fileName);

        public ILogFile Open(string fileName) => new File(owner, fileName, inner.Open(fileName));

        public void Delete(string fileName) => inner.Delete(fileName);

        public void Rename(string source, string destination) => inner.Rename(source, destination);

        public byte[]? ReadSmallFile(string fileName) => inner.ReadSmallFile(fileName);

        public void WriteSmallFile(string fileName, ReadOnlySpan<byte> content) => inner.WriteSmallFile(fileName, content);
    }

    private sealed class File(InstrumentedStorage owner, string name, ILogFile inner) : ILogFile
    {
        public long Length => inner.Length;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (owner.FailAppends?.Invoke(name) == true)
            {
                throw new IOException($"Injected failure appending to {name}.");
            }

            owner.BeforeAppend?.Invoke(name);

            inner.Append(data);
        }

        public int Read(long position, Span<byte> destination) => inner.Read(position, destination);

        public bool TryGetMemory(long position, int length, out ReadOnlyMemory<byte> memory) => inner.TryGetMemory(position, length, out memory);

        public void Truncate(long length) => inner.Truncate(length);

        public void Flush()
        {
            Interlocked.Increment(ref owner._flushes);
            inner.Flush();
        }

        public void Dispose() => inner.Dispose();
    }
}

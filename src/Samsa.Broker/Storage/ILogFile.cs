namespace Samsa.Broker.Storage;

/// <summary>
/// One append-only file of a partition directory: a segment's records or one of its indexes.
/// One writer (Append, Truncate, Flush) at a time; Read and Length may be called from any thread
/// concurrently with Append, and only see bytes whose Append has returned. Truncate must not run
/// concurrently with reads (<see cref="PartitionLog"/> excludes readers while it truncates).
/// </summary>
internal interface ILogFile : IDisposable
{
    /// <summary>Bytes written and visible to readers.</summary>
    long Length { get; }

    /// <summary>Writes <paramref name="data"/> at <see cref="Length"/>, then makes it visible.</summary>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Copies bytes from <paramref name="position"/> into <paramref name="destination"/>; returns how many (fewer only at the end of the file).</summary>
    int Read(long position, Span<byte> destination);

    /// <summary>
    /// A view of <paramref name="length"/> bytes at <paramref name="position"/> without copying, when the
    /// file lives in memory. The bytes behind the view are never changed afterwards, so it stays valid
    /// with no owner. False when the file cannot lend its bytes (on disk).
    /// </summary>
    bool TryGetMemory(long position, int length, out ReadOnlyMemory<byte> memory);

    /// <summary>Drops every byte at or after <paramref name="length"/>.</summary>
    void Truncate(long length);

    /// <summary>Makes what was written durable (fsync); nothing for memory.</summary>
    void Flush();
}

using Microsoft.Win32.SafeHandles;

namespace Samsa.Broker.Storage;

/// <summary>
/// A file on disk, written and read with <see cref="RandomAccess"/> at explicit positions, so reads
/// from many threads share the one handle without a file pointer.
/// </summary>
internal sealed class DiskLogFile : ILogFile
{
    private readonly SafeFileHandle _handle;
    private long _length;

    public DiskLogFile(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        _length = RandomAccess.GetLength(_handle);
    }

    public string Path { get; }

    public long Length => Volatile.Read(ref _length);

    public void Append(ReadOnlySpan<byte> data)
    {
        var length = _length;
        try
        {
            RandomAccess.Write(_handle, data, length);
        }
        catch
        {
            // Leave no partial write behind the visible length (best effort; recovery would cut it too).
            TryCutBackTo(length);
            throw;
        }

        Volatile.Write(ref _length, length + data.Length);
    }

    public int Read(long position, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = RandomAccess.Read(_handle, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public bool TryGetMemory(long position, int length, out ReadOnlyMemory<byte> memory)
    {
        memory = default;
        return false;
    }

    public void Truncate(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length >= _length)
        {
            return;
        }

        RandomAccess.SetLength(_handle, length);
        Volatile.Write(ref _length, length);
    }

    public void Flush() => RandomAccess.FlushToDisk(_handle);

    public void Dispose() => _handle.Dispose();

    private void TryCutBackTo(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
        }
        catch (IOException)
        {
        }
    }
}

using System.Buffers;

namespace Samsa.Broker.Storage;

/// <summary>
/// Whole record batches read from a partition log, byte for byte as stored, ready to be written
/// to a socket as the records of a Fetch response.
/// </summary>
/// <remarks>
/// Ownership: the caller owns the result and must dispose it once <see cref="Records"/> has been
/// written (or copied). A disk read lends a buffer rented from <see cref="ArrayPool{T}.Shared"/>,
/// which <see cref="Dispose"/> returns, so <see cref="Records"/> must not be touched after that.
/// A memory read lends the stored bytes themselves (never changed afterwards) and disposing does
/// nothing. Dispose once, from one thread.
/// </remarks>
internal sealed class LogReadResult : IDisposable
{
    private byte[]? _rented;

    private LogReadResult(ReadOnlyMemory<byte> records, byte[]? rented, bool isOffsetOutOfRange)
    {
        Records = records;
        _rented = rented;
        IsOffsetOutOfRange = isOffsetOutOfRange;
    }

    /// <summary>No batches: the offset is at the end of the log or at the read limit.</summary>
    public static LogReadResult Empty { get; } = new(ReadOnlyMemory<byte>.Empty, null, false);

    /// <summary>The fetch offset was below the log start offset or past the log end offset (OFFSET_OUT_OF_RANGE).</summary>
    public static LogReadResult OffsetOutOfRange { get; } = new(ReadOnlyMemory<byte>.Empty, null, true);

    /// <summary>Zero or more whole batches; the first contains the fetch offset.</summary>
    public ReadOnlyMemory<byte> Records { get; }

    public bool IsOffsetOutOfRange { get; }

    /// <summary>Batches that belong to the stored data and need no owner (memory storage).</summary>
    public static LogReadResult Borrowed(ReadOnlyMemory<byte> records) => new(records, null, false);

    /// <summary>Batches in a buffer rented from <see cref="ArrayPool{T}.Shared"/>, returned on <see cref="Dispose"/>.</summary>
    public static LogReadResult Rented(byte[] buffer, int length) => new(buffer.AsMemory(0, length), buffer, false);

    public void Dispose()
    {
        if (_rented is { } rented)
        {
            _rented = null;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

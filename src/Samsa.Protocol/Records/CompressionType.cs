namespace Samsa.Protocol.Records;

/// <summary>Compression codec of a record batch: attribute bits 0-2.</summary>
public enum CompressionType : byte
{
    /// <summary>No compression.</summary>
    None = 0,
    /// <summary>gzip (DEFLATE).</summary>
    Gzip = 1,
    /// <summary>Snappy, in the xerial framing the Java client writes.</summary>
    Snappy = 2,
    /// <summary>LZ4 frame format.</summary>
    Lz4 = 3,
    /// <summary>Zstandard.</summary>
    Zstd = 4,
}

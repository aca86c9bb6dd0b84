namespace Samsa.Protocol.Records.Compression;

/// <summary>Settings for compressing a record batch.</summary>
public sealed record CompressionOptions
{
    /// <summary>Codec defaults: codec's default level, plain snappy.</summary>
    public static CompressionOptions Default { get; } = new();

    /// <summary>
    /// Codec-specific level, or null for the codec default: gzip 0-9 (default 6), lz4 0-12
    /// (default 0, the fast compressor; 3 and up use the high-compression compressor), zstd
    /// 1-22 (default 3). Snappy has no levels.
    /// </summary>
    public int? Level { get; init; }

    /// <summary>Writes snappy in the snappy-java ("xerial") framing instead of one plain snappy block.</summary>
    public bool SnappyXerialFraming { get; init; }

    /// <summary>Uncompressed bytes per chunk of the xerial framing (snappy-java uses 32 KiB).</summary>
    public int SnappyXerialChunkSize { get; init; } = 32 * 1024;
}

using System.Diagnostics.CodeAnalysis;

namespace Samsa.Broker.Storage;

/// <summary>
/// For one compaction pass: each record key seen in the dirty segments and the highest offset it
/// was written at. Keys are copied and compared byte for byte (Kafka stores hashes instead; exact
/// keys cost more memory but can never confuse two keys). <see cref="ApproximateBytes"/> lets the
/// pass stop taking segments before the map grows past its budget.
/// </summary>
internal sealed class KeyOffsetMap
{
    /// <summary>Rough cost of one entry besides its key bytes: the array header, the dictionary slot and the offset.</summary>
    private const int EntryOverheadBytes = 64;

    private readonly Dictionary<byte[], long> _offsets = new(KeyComparer.Instance);
    private readonly Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    public KeyOffsetMap() => _bySpan = _offsets.GetAlternateLookup<ReadOnlySpan<byte>>();

    public int Count => _offsets.Count;

    public long ApproximateBytes { get; private set; }

    /// <summary>Records that <paramref name="key"/> was written at <paramref name="offset"/>; keeps the highest offset per key.</summary>
    public void Put(ReadOnlySpan<byte> key, long offset)
    {
        if (_bySpan.TryGetValue(key, out var known))
        {
            if (offset > known)
            {
                _bySpan[key] = offset;
            }

            return;
        }

        _bySpan[key] = offset;
        ApproximateBytes += key.Length + EntryOverheadBytes;
    }

    /// <summary>The highest offset <paramref name="key"/> was seen at, if it was.</summary>
    public bool TryGetLatest(ReadOnlySpan<byte> key, out long offset) => _bySpan.TryGetValue(key, out offset);

    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode([DisallowNull] byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}

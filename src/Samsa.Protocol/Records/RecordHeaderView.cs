using System.Text;

namespace Samsa.Protocol.Records;

/// <summary>A record header seen in place: spans over the batch bytes, valid while those bytes are.</summary>
public readonly ref struct RecordHeaderView
{
    private readonly ReadOnlySpan<byte> _data;

    internal RecordHeaderView(ReadOnlySpan<byte> data, int keyStart, int keyLength, int valueStart, int valueLength)
    {
        _data = data;
        KeyStart = keyStart;
        KeyLength = keyLength;
        ValueStart = valueStart;
        ValueLength = valueLength;
    }

    internal int KeyStart { get; }

    internal int KeyLength { get; }

    internal int ValueStart { get; }

    /// <summary>-1 when the value is null.</summary>
    internal int ValueLength { get; }

    /// <summary>The key's UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Key => _data.Slice(KeyStart, KeyLength);

    /// <summary>True when the header value is null rather than empty.</summary>
    public bool IsValueNull => ValueLength < 0;

    /// <summary>The value bytes; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlySpan<byte> Value => ValueLength < 0 ? default : _data.Slice(ValueStart, ValueLength);

    /// <summary>Decodes the key; invalid UTF-8 becomes U+FFFD, as the Java client does.</summary>
    public string GetKeyString() => Encoding.UTF8.GetString(Key);
}

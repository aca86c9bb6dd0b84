namespace Samsa.Consuming;

/// <summary>
/// Compares record keys by content for keyed concurrency. Records without a key map to one shared key, so they run one
/// after another in offset order, as they would without keyed concurrency.
/// </summary>
internal sealed class RecordKeyComparer : IEqualityComparer<byte[]>
{
    public static readonly RecordKeyComparer Instance = new();

    /// <summary>Stands for "no key"; compared by reference so that it never equals a real key (an empty key included).</summary>
    private static readonly byte[] NoKey = [0];

    /// <summary>The lane key of a record key.</summary>
    public static byte[] KeyOf(byte[]? key) => key ?? NoKey;

    public bool Equals(byte[]? x, byte[]? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || ReferenceEquals(x, NoKey) || ReferenceEquals(y, NoKey))
        {
            return false;
        }

        return x.AsSpan().SequenceEqual(y);
    }

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}

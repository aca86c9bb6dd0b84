namespace Samsa.ProtocolGenerator;

/// <summary>An inclusive range of versions as written in a schema: "3+", "0-7", "2" or "none".</summary>
public readonly record struct VersionRange(short Min, short Max)
{
    public const short Open = short.MaxValue;

    public static readonly VersionRange None = new(1, 0);

    public bool IsNone => Min > Max;

    public bool Contains(short version) => version >= Min && version <= Max;

    public static VersionRange Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "none")
        {
            return None;
        }

        text = text.Trim();
        if (text.EndsWith('+'))
        {
            return new VersionRange(short.Parse(text[..^1]), Open);
        }

        var dash = text.IndexOf('-');
        if (dash > 0)
        {
            return new VersionRange(short.Parse(text[..dash]), short.Parse(text[(dash + 1)..]));
        }

        var single = short.Parse(text);
        return new VersionRange(single, single);
    }

    public VersionRange Intersect(VersionRange other)
    {
        var result = new VersionRange(Math.Max(Min, other.Min), Math.Min(Max, other.Max));
        return result.IsNone ? None : result;
    }

    /// <summary>True when every version in <paramref name="within"/> is in this range.</summary>
    public bool Covers(VersionRange within) => within.IsNone || (Min <= within.Min && Max >= within.Max);

    public override string ToString() => IsNone ? "none" : Max == Open ? $"{Min}+" : Min == Max ? $"{Min}" : $"{Min}-{Max}";
}

namespace Samsa.Protocol;

/// <summary>What the schemas say about one API: its versions, the first flexible one, and whether brokers serve it.</summary>
public readonly record struct ApiVersionRange(ApiKey Key, short MinVersion, short MaxVersion, short MaxStableVersion, short FirstFlexibleVersion, bool IsBrokerApi)
{
    /// <summary>True when <paramref name="version"/> lies between <see cref="MinVersion"/> and <see cref="MaxVersion"/>.</summary>
    public bool Supports(short version) => version >= MinVersion && version <= MaxVersion;

    /// <summary>True when <paramref name="version"/> uses the flexible encoding (compact strings and arrays, tagged fields).</summary>
    public bool IsFlexible(short version) => FirstFlexibleVersion >= 0 && version >= FirstFlexibleVersion;
}

/// <summary>Version facts for every API the vendored Kafka schemas define, generated from them.</summary>
public static partial class ApiVersionRanges
{
    /// <summary>The schema facts for <paramref name="key"/>; false for keys the schemas do not define.</summary>
    public static bool TryGet(ApiKey key, out ApiVersionRange range)
    {
        var index = (int)key;
        if ((uint)index < (uint)Ranges.Length && Ranges[index].MaxVersion >= Ranges[index].MinVersion)
        {
            range = Ranges[index];
            return true;
        }

        range = default;
        return false;
    }

    /// <summary>The schema facts for <paramref name="key"/>.</summary>
    /// <exception cref="ProtocolException">The schemas do not define <paramref name="key"/>.</exception>
    public static ApiVersionRange Get(ApiKey key) =>
        TryGet(key, out var range) ? range : throw new ProtocolException($"Unknown API key {(short)key}.");
}

namespace Samsa.Protocol.Framing;

/// <summary>Which request and response header version goes with an API version.</summary>
public static class HeaderVersions
{
    /// <summary>
    /// Request header v2 (with tagged fields) for flexible versions, else v1. ControlledShutdown v0
    /// alone used v0 (no client id). Versions above the known range count as flexible when the API
    /// is flexible from some version on, so a newer client's ApiVersions header still parses.
    /// </summary>
    public static short Request(ApiKey key, short apiVersion)
    {
        if (key == ApiKey.ControlledShutdown && apiVersion == 0)
        {
            return 0;
        }

        return ApiVersionRanges.TryGet(key, out var range) && range.IsFlexible(apiVersion) ? (short)2 : (short)1;
    }

    /// <summary>Response header v1 for flexible versions, else v0; ApiVersions responses always use v0.</summary>
    public static short Response(ApiKey key, short apiVersion)
    {
        if (key == ApiKey.ApiVersions)
        {
            return 0;
        }

        return ApiVersionRanges.TryGet(key, out var range) && range.IsFlexible(apiVersion) ? (short)1 : (short)0;
    }
}

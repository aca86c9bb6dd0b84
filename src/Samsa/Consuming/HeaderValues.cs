using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>Reads and writes the UTF-8 text values of Samsa's headers: plain text, decimal numbers and ISO 8601 UTC times.</summary>
internal static class HeaderValues
{
    public static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    public static byte[] Number(long value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    public static byte[] Time(DateTimeOffset value) => Encoding.UTF8.GetBytes(value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    /// <summary>The last value of <paramref name="key"/> as text, or null.</summary>
    public static string? GetText(Headers? headers, string key) =>
        headers is not null && headers.TryGetLastBytes(key, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>The last value of <paramref name="key"/> as a number, or null when absent or not a number.</summary>
    public static long? GetNumber(Headers? headers, string key) =>
        headers is not null && headers.TryGetLastBytes(key, out var bytes) && bytes is not null
            && Utf8Parser.TryParse(bytes, out long value, out var consumed) && consumed == bytes.Length
            ? value
            : null;

    /// <summary>The last value of <paramref name="key"/> as a time, or null when absent or not a time.</summary>
    public static DateTimeOffset? GetTime(Headers? headers, string key) =>
        GetText(headers, key) is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    /// <summary>True when <paramref name="key"/> starts with one of Samsa's routing prefixes (retry, dead letter, replay).</summary>
    public static bool IsRoutingHeader(string key) =>
        key.StartsWith(Retry.RetryHeaders.Prefix, StringComparison.Ordinal)
        || key.StartsWith(DeadLetter.DeadLetterHeaders.Prefix, StringComparison.Ordinal)
        || key.StartsWith(DeadLetter.DeadLetterHeaders.ReplayPrefix, StringComparison.Ordinal);

    /// <summary>A copy of <paramref name="headers"/> without Samsa's routing headers.</summary>
    public static Headers WithoutRoutingHeaders(Headers? headers)
    {
        var copy = new Headers();
        if (headers is null)
        {
            return copy;
        }

        foreach (var header in headers)
        {
            if (!IsRoutingHeader(header.Key))
            {
                copy.Add(header.Key, header.GetValueBytes());
            }
        }

        return copy;
    }

    /// <summary><paramref name="text"/> cut to <paramref name="max"/> characters (a cut is marked with an ellipsis).</summary>
    public static string Bounded(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        return text.Length <= max ? text : string.Concat(text.AsSpan(0, Math.Max(0, max - 1)), "…");
    }
}

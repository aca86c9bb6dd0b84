using Confluent.Kafka;

namespace Samsa.Consuming.DeadLetter;

/// <summary>A dead letter as its headers describe it: where it came from, who failed it, how and when.</summary>
public sealed record DeadLetterRecord
{
    /// <summary>Its partition in the dead-letter topic.</summary>
    public required int Partition { get; init; }

    /// <summary>Its offset in the dead-letter topic.</summary>
    public required long Offset { get; init; }

    /// <summary>Its key as UTF-8 text (for display and filtering by eye), or null when it has none.</summary>
    public string? Key { get; init; }

    /// <summary>When it was written to the dead-letter topic.</summary>
    public required DateTimeOffset DeadLetteredAt { get; init; }

    /// <summary>The topic it was first read from; null when the header is missing (it cannot be replayed then).</summary>
    public string? OriginalTopic { get; init; }

    /// <summary>Its partition there, or -1.</summary>
    public int OriginalPartition { get; init; } = -1;

    /// <summary>Its offset there, or -1.</summary>
    public long OriginalOffset { get; init; } = -1;

    /// <summary>The group that dead-lettered it.</summary>
    public string? GroupId { get; init; }

    /// <summary>Why (<see cref="DeadLetterReasons"/>).</summary>
    public string? Reason { get; init; }

    /// <summary>The full name of the last exception's type.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>The last exception's message.</summary>
    public string? ExceptionMessage { get; init; }

    /// <summary>Handler calls made.</summary>
    public int Attempts { get; init; }

    /// <summary>When the first call failed.</summary>
    public DateTimeOffset? FirstFailure { get; init; }

    /// <summary>When the last call failed.</summary>
    public DateTimeOffset? LastFailure { get; init; }

    /// <summary>The last exception's stack trace as written (cut to the writer's limit), or null.</summary>
    public string? ExceptionStackTrace { get; init; }

    /// <summary>Every header of the dead letter, in order, with its value as UTF-8 text (null for a null value).</summary>
    public IReadOnlyList<DeadLetterHeader> Headers { get; init; } = [];

    /// <summary>The payload's size in bytes, or -1 when it is null (a tombstone).</summary>
    public int PayloadBytes { get; init; } = -1;

    /// <summary>The start of the payload as UTF-8 text (at most <see cref="PayloadPreviewBytes"/> bytes), or null when it is null.</summary>
    public string? PayloadPreview { get; init; }

    /// <summary>How many payload bytes <see cref="PayloadPreview"/> shows at most.</summary>
    public const int PayloadPreviewBytes = 1024;

    /// <summary>Reads the description of a record of a dead-letter topic.</summary>
    public static DeadLetterRecord From(ConsumeResult<byte[]?, byte[]?> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var headers = record.Message.Headers;
        return new DeadLetterRecord
        {
            Partition = record.Partition.Value,
            Offset = record.Offset.Value,
            Key = record.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : null,
            DeadLetteredAt = DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs),
            OriginalTopic = HeaderValues.GetText(headers, DeadLetterHeaders.OriginalTopic),
            OriginalPartition = (int)(HeaderValues.GetNumber(headers, DeadLetterHeaders.OriginalPartition) ?? -1),
            OriginalOffset = HeaderValues.GetNumber(headers, DeadLetterHeaders.OriginalOffset) ?? -1,
            GroupId = HeaderValues.GetText(headers, DeadLetterHeaders.Group),
            Reason = HeaderValues.GetText(headers, DeadLetterHeaders.Reason),
            ExceptionType = HeaderValues.GetText(headers, DeadLetterHeaders.ExceptionType),
            ExceptionMessage = HeaderValues.GetText(headers, DeadLetterHeaders.ExceptionMessage),
            Attempts = (int)Math.Clamp(HeaderValues.GetNumber(headers, DeadLetterHeaders.Attempts) ?? 0, 0, int.MaxValue),
            FirstFailure = HeaderValues.GetTime(headers, DeadLetterHeaders.FirstFailure),
            LastFailure = HeaderValues.GetTime(headers, DeadLetterHeaders.LastFailure),
            ExceptionStackTrace = HeaderValues.GetText(headers, DeadLetterHeaders.ExceptionStackTrace),
            Headers = headers is null ? [] : [.. headers.Select(h => new DeadLetterHeader(h.Key, h.GetValueBytes() is { } value ? System.Text.Encoding.UTF8.GetString(value) : null))],
            PayloadBytes = record.Message.Value?.Length ?? -1,
            PayloadPreview = record.Message.Value is { } payload ? Preview(payload) : null,
        };
    }

    // Cut on a byte count, then decoded leniently: a multi-byte character split at the cut shows as U+FFFD.
    private static string Preview(byte[] payload) =>
        System.Text.Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, PayloadPreviewBytes));
}

/// <summary>One header of a dead letter.</summary>
/// <param name="Name">The header's key.</param>
/// <param name="Value">Its value as UTF-8 text, or null for a null value.</param>
public sealed record DeadLetterHeader(string Name, string? Value);

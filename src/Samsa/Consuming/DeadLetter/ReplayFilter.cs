namespace Samsa.Consuming.DeadLetter;

/// <summary>
/// Which dead letters a replay takes. Every criterion that is set must match; an empty filter takes all of them.
/// </summary>
public sealed class ReplayFilter
{
    /// <summary>The last exception's type: its full name (<c>System.TimeoutException</c>) or its simple name (<c>TimeoutException</c>).</summary>
    public string? ExceptionType { get; set; }

    /// <summary>Only records whose last failure was at or after this time.</summary>
    public DateTimeOffset? FailedFrom { get; set; }

    /// <summary>Only records whose last failure was before this time.</summary>
    public DateTimeOffset? FailedTo { get; set; }

    /// <summary>Only records from this partition of the original topic.</summary>
    public int? OriginalPartition { get; set; }

    /// <summary>Only records at or after this offset of the original topic.</summary>
    public long? FromOffset { get; set; }

    /// <summary>Only records at or before this offset of the original topic.</summary>
    public long? ToOffset { get; set; }

    /// <summary>Only records dead-lettered by this consumer group.</summary>
    public string? GroupId { get; set; }

    /// <summary>Only records with this <see cref="DeadLetterHeaders.Reason"/> (<see cref="DeadLetterReasons"/>).</summary>
    public string? Reason { get; set; }

    /// <summary>True when <paramref name="record"/> meets every criterion that is set.</summary>
    public bool Matches(DeadLetterRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (ExceptionType is { Length: > 0 } type && !SameType(record.ExceptionType, type))
        {
            return false;
        }

        var failed = record.LastFailure ?? record.DeadLetteredAt;
        if ((FailedFrom is { } from && failed < from) || (FailedTo is { } to && failed >= to))
        {
            return false;
        }

        if (OriginalPartition is { } partition && record.OriginalPartition != partition)
        {
            return false;
        }

        if ((FromOffset is { } low && record.OriginalOffset < low) || (ToOffset is { } high && record.OriginalOffset > high))
        {
            return false;
        }

        if (GroupId is { Length: > 0 } group && !string.Equals(record.GroupId, group, StringComparison.Ordinal))
        {
            return false;
        }

        return Reason is not { Length: > 0 } reason || string.Equals(record.Reason, reason, StringComparison.Ordinal);
    }

    /// <summary>A readable summary for logs.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (ExceptionType is { Length: > 0 })
        {
            parts.Add($"exception type {ExceptionType}");
        }

        if (FailedFrom is not null || FailedTo is not null)
        {
            parts.Add($"failed in [{FailedFrom?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, {FailedTo?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-"})");
        }

        if (OriginalPartition is { } partition)
        {
            parts.Add($"partition {partition}");
        }

        if (FromOffset is not null || ToOffset is not null)
        {
            parts.Add($"offsets [{FromOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, {ToOffset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}]");
        }

        if (GroupId is { Length: > 0 })
        {
            parts.Add($"group {GroupId}");
        }

        if (Reason is { Length: > 0 })
        {
            parts.Add($"reason {Reason}");
        }

        return parts.Count == 0 ? "all records" : string.Join(", ", parts);
    }

    private static bool SameType(string? actual, string wanted)
    {
        if (actual is null)
        {
            return false;
        }

        if (string.Equals(actual, wanted, StringComparison.Ordinal))
        {
            return true;
        }

        var dot = actual.LastIndexOfAny(['.', '+']);
        return dot >= 0 && actual.AsSpan(dot + 1).Equals(wanted, StringComparison.Ordinal);
    }
}

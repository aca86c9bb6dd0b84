using System.CommandLine;
using System.Globalization;
using Samsa.Consuming.DeadLetter;

namespace Samsa.Cli.DeadLetters;

/// <summary>The flags that select dead letters, shared by <c>samsa dlq list</c> and <c>samsa dlq replay</c>.</summary>
internal sealed class ReplayFilterOptions
{
    public Option<string?> ExceptionType { get; } = new("--exception-type") { Description = "Only dead letters whose exception type is this (full or short name)." };

    public Option<string?> Reason { get; } = new("--reason") { Description = "Only dead letters with this reason: permanent, retries-exhausted or deserialization." };

    public Option<string?> Group { get; } = new("--group", "-g") { Description = "Only dead letters written by this consumer group." };

    public Option<int?> Partition { get; } = new("--partition") { Description = "Only records that came from this partition of the original topic." };

    public Option<long?> FromOffset { get; } = new("--from-offset") { Description = "Only records at or after this offset of the original partition." };

    public Option<long?> ToOffset { get; } = new("--to-offset") { Description = "Only records at or before this offset of the original partition." };

    public Option<string?> FailedAfter { get; } = new("--failed-after") { Description = "Only records that failed at or after this time (ISO 8601, e.g. 2026-11-27T08:00:00Z)." };

    public Option<string?> FailedBefore { get; } = new("--failed-before") { Description = "Only records that failed before this time (ISO 8601)." };

    public void AddTo(Command command)
    {
        command.Options.Add(ExceptionType);
        command.Options.Add(Reason);
        command.Options.Add(Group);
        command.Options.Add(Partition);
        command.Options.Add(FromOffset);
        command.Options.Add(ToOffset);
        command.Options.Add(FailedAfter);
        command.Options.Add(FailedBefore);
    }

    /// <summary>The filter, or the reason it cannot be built.</summary>
    public (ReplayFilter? Filter, string? Error) Build(ParseResult parse)
    {
        if (!TryParseTime(parse.GetValue(FailedAfter), out var after))
        {
            return (null, $"--failed-after expects an ISO 8601 time such as 2026-11-27T08:00:00Z, got '{parse.GetValue(FailedAfter)}'.");
        }

        if (!TryParseTime(parse.GetValue(FailedBefore), out var before))
        {
            return (null, $"--failed-before expects an ISO 8601 time such as 2026-11-27T08:00:00Z, got '{parse.GetValue(FailedBefore)}'.");
        }

        return (new ReplayFilter
        {
            ExceptionType = parse.GetValue(ExceptionType),
            Reason = parse.GetValue(Reason),
            GroupId = parse.GetValue(Group),
            OriginalPartition = parse.GetValue(Partition),
            FromOffset = parse.GetValue(FromOffset),
            ToOffset = parse.GetValue(ToOffset),
            FailedFrom = after,
            FailedTo = before,
        }, null);
    }

    private static bool TryParseTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }
}

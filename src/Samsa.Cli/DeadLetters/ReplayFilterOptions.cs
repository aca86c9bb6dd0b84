using System.CommandLine;
using System.Globalization;
using Samsa.Consuming.DeadLetter;

namespace Samsa.Cli.DeadLetters;

/// <summary>
/// The flags that select dead letters, shared by <c>samsa dlq list</c> and <c>samsa dlq replay</c>: one per
/// <see cref="ReplayFilter"/> property, its name in kebab-case (the HTTP API's query string uses the same names in camelCase).
/// </summary>
internal sealed class ReplayFilterOptions
{
    public Option<string?> ExceptionType { get; } = new("--exception-type") { Description = "Only dead letters whose exception type is this (full or short name)." };

    public Option<DateTimeOffset?> FailedFrom { get; } = TimeOption("--failed-from", "Only records that failed at or after this time (ISO 8601, e.g. 2026-11-27T08:00:00Z).");

    public Option<DateTimeOffset?> FailedTo { get; } = TimeOption("--failed-to", "Only records that failed before this time (ISO 8601).");

    public Option<int?> OriginalPartition { get; } = new("--original-partition") { Description = "Only records that came from this partition of the original topic." };

    public Option<long?> FromOffset { get; } = new("--from-offset") { Description = "Only records at or after this offset of the original partition." };

    public Option<long?> ToOffset { get; } = new("--to-offset") { Description = "Only records at or before this offset of the original partition." };

    public Option<string?> GroupId { get; } = new("--group-id") { Description = "Only dead letters written by this consumer group." };

    public Option<string?> Reason { get; } = new("--reason") { Description = "Only dead letters with this reason: permanent, retries-exhausted or deserialization." };

    // The names before the filter took ReplayFilter's: still accepted, not shown in help.
    private readonly Option<DateTimeOffset?> _failedAfter = Deprecated(TimeOption("--failed-after", "Deprecated: --failed-from."));
    private readonly Option<DateTimeOffset?> _failedBefore = Deprecated(TimeOption("--failed-before", "Deprecated: --failed-to."));
    private readonly Option<int?> _partition = Deprecated(new Option<int?>("--partition") { Description = "Deprecated: --original-partition." });
    private readonly Option<string?> _group = Deprecated(new Option<string?>("--group", "-g") { Description = "Deprecated: --group-id." });

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { ExceptionType, FailedFrom, FailedTo, OriginalPartition, FromOffset, ToOffset, GroupId, Reason, _failedAfter, _failedBefore, _partition, _group })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The filter the command line selects.</summary>
    public ReplayFilter Build(ParseResult parse) => new()
    {
        ExceptionType = parse.GetValue(ExceptionType),
        FailedFrom = parse.GetValue(FailedFrom) ?? parse.GetValue(_failedAfter),
        FailedTo = parse.GetValue(FailedTo) ?? parse.GetValue(_failedBefore),
        OriginalPartition = parse.GetValue(OriginalPartition) ?? parse.GetValue(_partition),
        FromOffset = parse.GetValue(FromOffset),
        ToOffset = parse.GetValue(ToOffset),
        GroupId = parse.GetValue(GroupId) ?? parse.GetValue(_group),
        Reason = parse.GetValue(Reason),
    };

    private static Option<T> Deprecated<T>(Option<T> option)
    {
        option.Hidden = true;
        return option;
    }

    /// <summary>An ISO 8601 time (UTC when it names no offset); anything else is a parse error, exit 2.</summary>
    private static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? null : result.Tokens[0].Value;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return parsed;
            }

            result.AddError($"{name} expects an ISO 8601 time such as 2026-11-27T08:00:00Z, got '{text}'.");
            return null;
        },
    };
}

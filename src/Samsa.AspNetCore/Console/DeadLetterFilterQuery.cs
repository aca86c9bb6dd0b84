using Samsa.Consuming.DeadLetter;

namespace Samsa.AspNetCore.Console;

/// <summary>
/// A dead-letter filter from the query string. Its names are <see cref="ReplayFilter"/>'s properties, in camelCase here and
/// in the console, in kebab-case in the CLI (<c>samsa dlq --failed-from</c> …): <c>exceptionType</c>, <c>failedFrom</c>,
/// <c>failedTo</c> (ISO 8601), <c>originalPartition</c>, <c>fromOffset</c>, <c>toOffset</c> (of the source topic),
/// <c>groupId</c>, <c>reason</c>.
/// </summary>
/// <param name="ExceptionType">Full or short name of the last exception's type.</param>
/// <param name="FailedFrom">Dead-lettered at or after.</param>
/// <param name="FailedTo">Dead-lettered before.</param>
/// <param name="OriginalPartition">Partition of the source topic.</param>
/// <param name="FromOffset">Lowest offset of the source topic.</param>
/// <param name="ToOffset">Highest offset of the source topic.</param>
/// <param name="GroupId">The group that dead-lettered it.</param>
/// <param name="Reason">Why it was dead-lettered.</param>
public sealed record DeadLetterFilterQuery(
    string? ExceptionType, DateTimeOffset? FailedFrom, DateTimeOffset? FailedTo, int? OriginalPartition, long? FromOffset, long? ToOffset, string? GroupId, string? Reason)
{
    /// <summary>
    /// A 400 problem when the query string uses a name from before the filter took <see cref="ReplayFilter"/>'s names
    /// (<c>partition</c>, <c>group</c>): ignoring it would widen a replay silently.
    /// </summary>
    public static IResult? RenamedParameter(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        foreach (var (old, current) in new[] { ("partition", "originalPartition"), ("group", "groupId") })
        {
            if (query.ContainsKey(old))
            {
                return TypedResults.Problem(
                    detail: $"The filter parameter '{old}' is now '{current}' (the names of ReplayFilter).", statusCode: StatusCodes.Status400BadRequest, title: "Renamed filter parameter");
            }
        }

        return null;
    }

    /// <summary>The library's filter.</summary>
    public ReplayFilter ToFilter() => new()
    {
        ExceptionType = ExceptionType,
        FailedFrom = FailedFrom,
        FailedTo = FailedTo,
        OriginalPartition = OriginalPartition,
        FromOffset = FromOffset,
        ToOffset = ToOffset,
        GroupId = GroupId,
        Reason = Reason,
    };
}

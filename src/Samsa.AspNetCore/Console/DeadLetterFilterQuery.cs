using Samsa.Consuming.DeadLetter;

namespace Samsa.AspNetCore.Console;

/// <summary>
/// A dead-letter filter from the query string, with the names the HTTP API, the CLI (<c>samsa dlq --exception-type</c> …)
/// and the console share: <c>exceptionType</c>, <c>failedFrom</c>, <c>failedTo</c> (ISO 8601), <c>partition</c>,
/// <c>fromOffset</c>, <c>toOffset</c> (of the source topic), <c>group</c>, <c>reason</c>. See <see cref="ReplayFilter"/>.
/// </summary>
/// <param name="ExceptionType">Full or short name of the last exception's type.</param>
/// <param name="FailedFrom">Dead-lettered at or after.</param>
/// <param name="FailedTo">Dead-lettered at or before.</param>
/// <param name="Partition">Partition of the source topic.</param>
/// <param name="FromOffset">Lowest offset of the source topic.</param>
/// <param name="ToOffset">Highest offset of the source topic.</param>
/// <param name="Group">The group that dead-lettered it.</param>
/// <param name="Reason">Why it was dead-lettered.</param>
public sealed record DeadLetterFilterQuery(
    string? ExceptionType, DateTimeOffset? FailedFrom, DateTimeOffset? FailedTo, int? Partition, long? FromOffset, long? ToOffset, string? Group, string? Reason)
{
    /// <summary>The library's filter.</summary>
    public ReplayFilter ToFilter() => new()
    {
        ExceptionType = ExceptionType,
        FailedFrom = FailedFrom,
        FailedTo = FailedTo,
        OriginalPartition = Partition,
        FromOffset = FromOffset,
        ToOffset = ToOffset,
        GroupId = Group,
        Reason = Reason,
    };
}

using Samsa.AspNetCore.Console;
using Samsa.AspNetCore.Security;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;

namespace Samsa.EventService.Endpoints;

/// <summary>
/// Dead letters over HTTP, through the library's <see cref="DeadLetterReplayer"/>. <c>{topic}</c> is the source topic;
/// its dead-letter topic is <c>&lt;topic&gt;.dlq</c>.
/// <c>GET /dlq/{topic}</c> lists the dead letters (key, where they came from, the exception, whether replayed);
/// <c>POST /dlq/{topic}/replay</c> writes them back to the source topic. Both take the filter in the query string:
/// <c>exceptionType</c>, <c>failedFrom</c>, <c>failedTo</c> (ISO 8601), <c>originalPartition</c>, <c>fromOffset</c>,
/// <c>toOffset</c> (of the source topic), <c>groupId</c>, <c>reason</c> (<see cref="ReplayFilter"/>'s names, see <see cref="DeadLetterFilterQuery"/>); the replay also takes <c>dryRun</c>,
/// <c>maxRecords</c> and <c>maxRecordsPerSecond</c>.
/// Listing needs <see cref="OperationsPolicies.Read"/>, replay <see cref="OperationsPolicies.Replay"/> (and, from a
/// browser signed in to the console, its anti-forgery token).
/// </summary>
/// <remarks>
/// Errors are problem details: 400 a topic that is not a Kafka topic name (<see cref="TopicNameProblem"/>), or a limit out
/// of range; 404 the dead-letter topic does not exist; 503 Kafka could not
/// be read or written (a replay that stopped part way can be run again: the ledger skips what was written).
/// </remarks>
internal static class DeadLetterEndpoints
{
    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dlq/{topic}", ListAsync)
            .WithName("ListDeadLetters")
            .RequireAuthorization(OperationsPolicies.Read)
            .Produces<DeadLetterListing>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        endpoints.MapPost("/dlq/{topic}/replay", ReplayAsync)
            .WithName("ReplayDeadLetters")
            .RequireAuthorization(OperationsPolicies.Replay)
            .RequireAntiforgeryForBrowsers()
            .Produces<ReplayResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, string topic, [AsParameters] DeadLetterFilterQuery filter, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        if (DeadLetterFilterQuery.RenamedParameter(context.Request.Query) is { } renamed)
        {
            return renamed;
        }

        var deadLetterTopic = RetryTopicNames.DeadLetter(topic);
        if ((TopicNameProblem.For(topic) ?? TopicNameProblem.For(deadLetterTopic)) is { } invalidTopic)
        {
            return invalidTopic;
        }

        try
        {
            return TypedResults.Json(await replayer.ListAsync(deadLetterTopic, filter.ToFilter(), cancellationToken));
        }
        catch (Exception exception) when (exception is ReplayException or TimeoutException)
        {
            return Problem(topic, deadLetterTopic, exception);
        }
    }

    private static async Task<IResult> ReplayAsync(
        HttpContext context, string topic, [AsParameters] DeadLetterFilterQuery filter, [AsParameters] ReplayQuery replay, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        if (DeadLetterFilterQuery.RenamedParameter(context.Request.Query) is { } renamed)
        {
            return renamed;
        }

        var deadLetterTopic = RetryTopicNames.DeadLetter(topic);
        if ((TopicNameProblem.For(topic) ?? TopicNameProblem.For(deadLetterTopic)) is { } invalidTopic)
        {
            return invalidTopic;
        }

        try
        {
            var options = new ReplayOptions
            {
                DeadLetterTopic = deadLetterTopic,
                Filter = filter.ToFilter(),
                DryRun = replay.DryRun ?? false,
                MaxRecords = replay.MaxRecords,
                MaxRecordsPerSecond = replay.MaxRecordsPerSecond,
            };
            return TypedResults.Json(await replayer.ReplayAsync(options, cancellationToken));
        }
        catch (ArgumentOutOfRangeException exception)
        {
            return TypedResults.Problem(detail: exception.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid replay limit");
        }
        catch (Exception exception) when (exception is ReplayException or TimeoutException)
        {
            return Problem(topic, deadLetterTopic, exception);
        }
    }

    private static IResult Problem(string topic, string deadLetterTopic, Exception exception) => exception is ReplayException { TopicMissing: true }
        ? TypedResults.Problem(
            detail: $"The dead-letter topic '{deadLetterTopic}' does not exist: no consumer of '{topic}' has one.",
            statusCode: StatusCodes.Status404NotFound,
            title: "No dead-letter topic")
        : TypedResults.Problem(detail: exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Kafka could not be read or written");
}

/// <summary>How to replay, from the query string (see <see cref="ReplayOptions"/>).</summary>
internal sealed record ReplayQuery(bool? DryRun, int? MaxRecords, double? MaxRecordsPerSecond);

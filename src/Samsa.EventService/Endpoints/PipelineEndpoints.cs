using Samsa.AspNetCore.Security;
using Samsa.Consuming.Retry;
using Samsa.EventService.SamplePipeline;

namespace Samsa.EventService.Endpoints;

/// <summary>
/// The sample pipeline over HTTP: <c>GET /events/{topic}/handled</c> lists what the sample consumer handled (404 for a
/// topic it does not consume); <c>GET /pipeline</c> shows its consumer's state and counters; <c>POST /pipeline/fix</c>
/// stops honouring <c>"fail": "permanent"</c> (the bug is fixed, so a replay is handled) and <c>POST /pipeline/break</c>
/// honours it again. Both answer the new state, and exist only in Development: nowhere else may a request change how the
/// handler behaves. The reads need <see cref="OperationsPolicies.Read"/>.
/// </summary>
internal static class PipelineEndpoints
{
    public static IEndpointRouteBuilder MapPipelineEndpoints(this IEndpointRouteBuilder endpoints, bool failureSwitches)
    {
        endpoints.MapGet("/events/{topic}/handled", Handled)
            .WithName("HandledEvents")
            .Produces<HandledEventsResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(OperationsPolicies.Read);
        endpoints.MapGet("/pipeline", (IServiceProvider services) => TypedResults.Json(Status(services)))
            .WithName("PipelineStatus")
            .RequireAuthorization(OperationsPolicies.Read);
        if (failureSwitches)
        {
            endpoints.MapPost("/pipeline/fix", (IServiceProvider services) => Switch(services, honoured: false)).WithName("FixPipeline");
            endpoints.MapPost("/pipeline/break", (IServiceProvider services) => Switch(services, honoured: true)).WithName("BreakPipeline");
        }

        return endpoints;
    }

    private static IResult Handled(string topic, HandledEvents handled)
    {
        if (topic != SamplePipelineExtensions.Topic)
        {
            return TypedResults.Problem(
                detail: $"The sample consumer reads '{SamplePipelineExtensions.Topic}', not '{topic}'.",
                statusCode: StatusCodes.Status404NotFound,
                title: "No sample consumer for this topic");
        }

        var events = handled.Of(topic);
        return TypedResults.Json(new HandledEventsResponse(topic, events.Count, events));
    }

    private static IResult Switch(IServiceProvider services, bool honoured)
    {
        services.GetRequiredService<FailureSwitch>().PermanentFailuresHonoured = honoured;
        return TypedResults.Json(Status(services));
    }

    private static PipelineStatus Status(IServiceProvider services)
    {
        var consumer = services.Worker().GetStatus();
        return new PipelineStatus(
            SamplePipelineExtensions.Topic,
            SamplePipelineExtensions.GroupId,
            RetryTopicNames.DeadLetter(SamplePipelineExtensions.Topic),
            services.GetRequiredService<FailureSwitch>().PermanentFailuresHonoured,
            new PipelineConsumerStatus(
                consumer.State.ToString(), consumer.AssignedPartitions, consumer.Lag, consumer.Handled, consumer.ForwardedToRetry, consumer.DeadLettered));
    }
}

/// <summary>The answer of <c>GET /events/{topic}/handled</c>: the handled events kept (see <see cref="HandledEvents.Capacity"/>), oldest first.</summary>
internal sealed record HandledEventsResponse(string Topic, int Count, IReadOnlyList<HandledEvent> Events);

/// <summary>The answer of <c>GET /pipeline</c>.</summary>
internal sealed record PipelineStatus(string Topic, string Group, string DeadLetterTopic, bool PermanentFailuresHonoured, PipelineConsumerStatus Consumer);

/// <summary>The sample consumer's state and counters (a subset of its <c>ConsumerStatus</c>).</summary>
internal sealed record PipelineConsumerStatus(string State, IReadOnlyList<string> Partitions, long Lag, long Handled, long ForwardedToRetry, long DeadLettered);

using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Provisioning;
using Samsa.Publishing;

namespace Samsa.EventService.Endpoints;

/// <summary>
/// <c>POST /events/{topic}</c>: publishes the request body (any JSON value, kept byte for byte) to <c>topic</c> and answers
/// <c>201 Created</c> with <c>{ topic, partition, offset, timestamp, eventId }</c> once Kafka has acknowledged it.
/// </summary>
/// <remarks>
/// <para>The request's Content-Type may be absent, JSON (<c>application/json</c>, <c>text/json</c>, <c>*/*+json</c>) or
/// <c>application/x-www-form-urlencoded</c> (what <c>curl -d</c> sends); any other is 415. The body itself must be JSON, and the
/// message always carries <c>content-type: application/json</c>.</para>
/// <para>Request headers: <c>X-Event-Key</c> the message key (optional; same key, same partition, in order);
/// <c>X-Correlation-Id</c> the correlation id (optional; the request's trace identifier otherwise; echoed in the response);
/// <c>X-Event-Type</c> the <c>samsa-event-type</c> header (optional; the topic name otherwise).</para>
/// <para>Errors are problem details (RFC 9457): 400 invalid topic name (Kafka's rule, <see cref="TopicNameRules"/>, <see cref="TopicNameProblem"/>), empty or
/// invalid JSON; 415 a Content-Type that is not JSON; 404 topic not declared
/// under <c>Kafka:Topics</c> or unknown to Kafka; 413 body larger than <c>EventService:MaxBodyBytes</c> or Kafka's limit;
/// 503 Kafka did not acknowledge (with <c>errorCode</c>, <c>transient</c> and, when transient, <c>Retry-After</c>).</para>
/// </remarks>
internal static partial class EventEndpoints
{
    public const string KeyHeader = "X-Event-Key";
    public const string CorrelationIdHeader = "X-Correlation-Id";
    public const string EventTypeHeader = "X-Event-Type";

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/events/{topic}", PublishAsync)
            .WithName("PublishEvent")
            .Produces<PublishedEvent>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(
        string topic,
        HttpContext context,
        IEventPublisher publisher,
        IOptions<EventServiceOptions> serviceOptions,
        IOptions<KafkaOptions> kafkaOptions)
    {
        var request = context.Request;
        var correlationId = NonEmpty(request.Headers[CorrelationIdHeader]) ?? context.TraceIdentifier;
        context.Response.Headers[CorrelationIdHeader] = correlationId;

        if (TopicNameProblem.For(topic) is { } invalidTopic)
        {
            return invalidTopic;
        }

        if (serviceOptions.Value.RestrictToDeclaredTopics && !kafkaOptions.Value.Topics.ContainsKey(topic))
        {
            var declared = string.Join(", ", kafkaOptions.Value.Topics.Keys.Order(StringComparer.Ordinal));
            return Problem(StatusCodes.Status404NotFound, "Unknown topic",
                $"Topic '{topic}' is not declared. Declared topics: {(declared.Length == 0 ? "(none)" : declared)}. Declare it under Kafka:Topics.");
        }

        if (!IsJsonCompatible(request.ContentType))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"Content-Type '{request.ContentType}' is not JSON: send application/json (or no Content-Type).");
        }

        var maxBytes = serviceOptions.Value.MaxBodyBytes;
        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        var body = await ReadBodyAsync(request.BodyReader, maxBytes, context.RequestAborted);
        if (body is null)
        {
            return TooLarge(maxBytes);
        }

        if (body.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Empty body", "The request body must be a JSON value.");
        }

        if (InvalidJson(body) is { } jsonError)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid JSON", jsonError);
        }

        var options = new PublishOptions
        {
            Topic = topic,
            Key = NonEmpty(request.Headers[KeyHeader]),
            CorrelationId = correlationId,
            EventType = NonEmpty(request.Headers[EventTypeHeader]) ?? topic,
            ContentType = PublisherDefaults.JsonContentType,
        };
        try
        {
            var result = await publisher.PublishRawAsync(body, options, context.RequestAborted);
            return TypedResults.Json(
                new PublishedEvent(result.Topic, result.Partition, result.Offset, result.Timestamp, result.EventId),
                statusCode: StatusCodes.Status201Created);
        }
        catch (PublishException ex)
        {
            return KafkaProblem(context, ex);
        }
    }

    private static IResult KafkaProblem(HttpContext context, PublishException ex)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["errorCode"] = ex.ErrorCode.ToString(),
            ["transient"] = ex.IsTransient,
            ["topic"] = ex.Topic,
            ["eventId"] = ex.EventId,
            ["status"] = ex.Status.ToString(),
        };
        switch (ex.ErrorCode)
        {
            case ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge:
                return Problem(StatusCodes.Status413PayloadTooLarge, "Event too large for Kafka", ex.Message, extensions);
            case ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic:
                return Problem(StatusCodes.Status404NotFound, "Unknown topic", ex.Message, extensions);
            default:
                if (ex.IsTransient)
                {
                    context.Response.Headers.RetryAfter = "5";
                }

                return Problem(StatusCodes.Status503ServiceUnavailable, "Kafka did not acknowledge the event", ex.Message, extensions);
        }
    }

    /// <summary>The whole body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(PipeReader reader, int maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            if (read.IsCompleted || read.IsCanceled)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            // Nothing consumed, everything examined: the next read returns the whole body so far plus what came.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Null when <paramref name="body"/> is exactly one well-formed JSON value, else what is wrong and where.</summary>
    private static string? InvalidJson(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            return $"The body is not valid JSON: {ex.Message}";
        }
    }

    /// <summary>No Content-Type, a JSON one, or the form type <c>curl -d</c> sends by default.</summary>
    private static bool IsJsonCompatible(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return true;
        }

        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            return false;
        }

        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }

    private static IResult TooLarge(int maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body is larger than {maxBytes} bytes (EventService:MaxBodyBytes).");

    private static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    private static string? NonEmpty(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]) ? values[0] : null;
}

/// <summary>The answer to a publish: where Kafka stored the event.</summary>
internal sealed record PublishedEvent(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, Guid EventId);

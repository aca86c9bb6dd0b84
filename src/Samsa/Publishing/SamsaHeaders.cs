namespace Samsa.Publishing;

/// <summary>
/// The headers <see cref="IEventPublisher"/> puts on every message, so a consumer in any language can route,
/// trace and de-duplicate without reading the payload. Values are UTF-8 text.
/// </summary>
public static class SamsaHeaders
{
    /// <summary>The event's id: a version 7 GUID in its 36-character form (<c>0190f1d2-…</c>), unique per publish.</summary>
    public const string EventId = "samsa-event-id";

    /// <summary>The event's type name (the .NET type's full name unless overridden).</summary>
    public const string EventType = "samsa-event-type";

    /// <summary>The correlation id given by the caller (for EventService: <c>X-Correlation-Id</c>); absent when none was given.</summary>
    public const string CorrelationId = "samsa-correlation-id";

    /// <summary>When the event was published: ISO 8601 in UTC with 7 fractional digits (<c>2026-08-21T10:15:30.1234567Z</c>).</summary>
    public const string Timestamp = "samsa-timestamp";

    /// <summary>The payload's media type (<c>application/json</c> for the System.Text.Json serializer).</summary>
    public const string ContentType = "content-type";

    /// <summary>W3C trace context of the publish span, present when tracing is on and something listens.</summary>
    public const string TraceParent = "traceparent";
}

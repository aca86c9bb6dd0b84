using System.Text.Json;

namespace Samsa.EventService.SamplePipeline;

/// <summary>
/// How an event asks the sample handler to fail, in its <c>"fail"</c> property, so retries, dead letters and replays
/// can be seen: <c>transient</c>, <c>transient-once</c>, <c>permanent</c> or <c>permanent-once</c>.
/// </summary>
internal enum RequestedFailure
{
    /// <summary>No <c>"fail"</c> property (or an unknown value): handled.</summary>
    None,

    /// <summary><c>transient</c>: fails transiently on every attempt, so it goes through the retry topic to the dead-letter topic.</summary>
    Transient,

    /// <summary><c>transient-once</c>: fails transiently on its first attempt only, so an in-place retry handles it.</summary>
    TransientOnce,

    /// <summary><c>permanent</c>: fails permanently (straight to the dead-letter topic) while failures are honoured (<c>POST /pipeline/fix</c> stops that).</summary>
    Permanent,

    /// <summary><c>permanent-once</c>: fails permanently the first time the event (by its event id) is delivered; a replay is handled.</summary>
    PermanentOnce,
}

/// <summary>Reads <see cref="RequestedFailure"/> from an event.</summary>
internal static class RequestedFailures
{
    public const string PropertyName = "fail";

    /// <summary>What <paramref name="event"/> asks for; any value that is not an object with a known <c>"fail"</c> asks for nothing.</summary>
    public static RequestedFailure Of(JsonElement @event)
    {
        if (@event.ValueKind != JsonValueKind.Object
            || !@event.TryGetProperty(PropertyName, out var fail)
            || fail.ValueKind != JsonValueKind.String)
        {
            return RequestedFailure.None;
        }

        return fail.GetString() switch
        {
            "transient" => RequestedFailure.Transient,
            "transient-once" => RequestedFailure.TransientOnce,
            "permanent" => RequestedFailure.Permanent,
            "permanent-once" => RequestedFailure.PermanentOnce,
            _ => RequestedFailure.None,
        };
    }
}

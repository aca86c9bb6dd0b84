namespace Samsa.EventService;

/// <summary>Settings of the HTTP surface (section <c>EventService</c>).</summary>
internal sealed class EventServiceOptions
{
    public const string SectionName = "EventService";

    /// <summary>
    /// Accept only topics declared under <c>Kafka:Topics</c> (provisioned at start); others get 404 at once instead of
    /// waiting for Kafka to say the topic does not exist. Default true.
    /// </summary>
    public bool RestrictToDeclaredTopics { get; set; } = true;

    /// <summary>Largest accepted request body, in bytes (413 above). Default 1 MiB, Kafka's default message size.</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;
}

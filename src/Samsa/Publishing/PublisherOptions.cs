using Confluent.Kafka;

namespace Samsa.Publishing;

/// <summary>
/// Settings of <see cref="IEventPublisher"/>, set in code through <c>AddPublisher(options => …)</c>. The Kafka
/// connection and producer settings (acks, batching, compression, timeouts) come from <c>KafkaOptions</c>.
/// </summary>
public sealed class PublisherOptions
{
    private readonly Dictionary<Type, string> _topics = [];

    /// <summary>
    /// How long shutdown (the host stopping, or disposing the publisher) waits for queued messages to be delivered
    /// before it purges them; their callers then get a <see cref="PublishException"/>. Default <see cref="PublisherDefaults.FlushTimeout"/>.
    /// </summary>
    public TimeSpan FlushTimeout { get; set; } = PublisherDefaults.FlushTimeout;

    /// <summary>The payload serializer. Null: <see cref="SystemTextJsonEventSerializer"/> with web defaults (camelCase).</summary>
    public IEventSerializer? Serializer { get; set; }

    /// <summary>
    /// Names the topic of an event type that has no <see cref="KafkaTopicAttribute"/> and no <see cref="MapTopic{TEvent}"/> entry,
    /// for example <see cref="TopicNamingConventions.KebabCase"/>. Null: such a publish fails unless <see cref="PublishOptions.Topic"/> is given.
    /// </summary>
    public Func<Type, string>? TopicNamingConvention { get; set; }

    /// <summary>Recent delivery failures at which the producer health check reports Degraded. Default <see cref="PublisherDefaults.DegradedFailureThreshold"/>.</summary>
    public int DegradedFailureThreshold { get; set; } = PublisherDefaults.DegradedFailureThreshold;

    /// <summary>Recent delivery failures at which the producer health check reports Unhealthy. Default <see cref="PublisherDefaults.UnhealthyFailureThreshold"/>.</summary>
    public int UnhealthyFailureThreshold { get; set; } = PublisherDefaults.UnhealthyFailureThreshold;

    /// <summary>
    /// Age of the oldest message Kafka has not acknowledged yet at which the producer health check reports Degraded,
    /// so a producer held up by a broker that does not answer shows before any delivery report arrives. Default
    /// <see cref="PublisherDefaults.UnacknowledgedAgeThreshold"/>.
    /// </summary>
    public TimeSpan UnacknowledgedAgeThreshold { get; set; } = PublisherDefaults.UnacknowledgedAgeThreshold;

    /// <summary>How far back "recent" reaches for the health check. Default <see cref="PublisherDefaults.HealthWindow"/>.</summary>
    public TimeSpan HealthWindow { get; set; } = PublisherDefaults.HealthWindow;

    /// <summary>Leaves out the producer health check (<see cref="PublisherDefaults.HealthCheckName"/>, tagged ready).</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Leaves out the <c>samsa.publish.*</c> instruments.</summary>
    public bool DisableMetrics { get; set; }

    /// <summary>Leaves out the publish span (and its <c>traceparent</c> header). Without a listener the span costs nothing either way.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>
    /// Runs fire-and-forget callbacks on librdkafka's delivery-report thread, as Confluent's <c>Produce</c> delivery
    /// handler does, instead of handing them to the thread pool. It saves a thread hop per burst of reports (a fifth of
    /// the publisher's CPU per message on two cores); the price is that a slow or blocking callback delays every other
    /// delivery report of this publisher, including awaited publishes. Off by default.
    /// </summary>
    public bool RunCallbacksOnDeliveryThread { get; set; }

    /// <summary>Last changes to the producer configuration after Samsa built it from <c>KafkaOptions</c> (tests, rare tuning).</summary>
    public Action<ProducerConfig>? ConfigureProducer { get; set; }

    /// <summary>The section below <c>Kafka</c> that configures the publisher: <c>Kafka:Publisher</c>.</summary>
    internal const string SectionKey = "Publisher";

    /// <summary>What <c>Kafka:Publisher</c> could not bind, reported by <see cref="PublisherOptionsValidator"/>.</summary>
    internal List<string> ConfigurationErrors { get; } = [];

    /// <summary>Explicit topic names by event type, from <see cref="MapTopic{TEvent}"/>.</summary>
    public IReadOnlyDictionary<Type, string> TopicMap => _topics;

    /// <summary>Publishes <typeparamref name="TEvent"/> to <paramref name="topic"/>; wins over <see cref="KafkaTopicAttribute"/> and the convention.</summary>
    /// <returns>These options, for chaining.</returns>
    public PublisherOptions MapTopic<TEvent>(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        _topics[typeof(TEvent)] = topic;
        return this;
    }
}

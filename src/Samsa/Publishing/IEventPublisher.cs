namespace Samsa.Publishing;

/// <summary>
/// Publishes typed events to Kafka through one shared producer. The topic comes from <see cref="PublishOptions.Topic"/>,
/// <see cref="PublisherOptions.MapTopic{TEvent}"/>, <see cref="KafkaTopicAttribute"/> or the naming convention, in that order.
/// Every message carries the <see cref="SamsaHeaders"/>. Register it with <c>AddSamsaKafka().AddPublisher()</c>.
/// </summary>
/// <remarks>
/// Failures surface as <see cref="PublishException"/> (with the Kafka error code and whether it is transient) and are
/// counted by error code in <see cref="ProducerErrorTracker"/>. Cancelling a token stops the wait, not the message:
/// once handed to the producer, a message may still be delivered.
/// </remarks>
public interface IEventPublisher
{
    /// <summary>Serializes and publishes <paramref name="event"/>; completes when Kafka has acknowledged it (acks as configured).</summary>
    /// <returns>The topic, partition, offset and timestamp Kafka assigned.</returns>
    /// <exception cref="PublishException">Kafka did not take the message (the returned task faults with it).</exception>
    ValueTask<PublishResult> PublishAsync<TEvent>(TEvent @event, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes an already-serialized payload as-is, to <see cref="PublishOptions.Topic"/> (required), with
    /// <see cref="PublishOptions.ContentType"/> (default <c>application/json</c>) and, when given, <see cref="PublishOptions.EventType"/>.
    /// </summary>
    ValueTask<PublishResult> PublishRawAsync(ReadOnlyMemory<byte> payload, PublishOptions options, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fire and forget: serializes and queues <paramref name="event"/> and returns at once. <paramref name="onCompleted"/>
    /// (optional) runs when Kafka answers, on a thread-pool thread that runs completions one after another: keep it short,
    /// and never block it waiting for another publish. Failures are counted and, without a callback, logged.
    /// </summary>
    /// <exception cref="PublishException">The message could not be queued (queue full, no topic, serialization failed).</exception>
    void Publish<TEvent>(TEvent @event, PublishOptions? options = null, PublishCompletion? onCompleted = null, object? state = null);

    /// <summary>Waits until every queued message has been delivered or has failed, or until <paramref name="cancellationToken"/> fires.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}

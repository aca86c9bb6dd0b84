using Confluent.Kafka;

namespace Samsa.Publishing;

/// <summary>
/// Per-publish overrides. Every property is optional; leave the whole object null for the defaults
/// (topic from the event type, no key, a new event id, the current time).
/// </summary>
/// <remarks>An instance may be reused across publishes; the publisher never changes it.</remarks>
public sealed class PublishOptions
{
    /// <summary>The topic; overrides <see cref="KafkaTopicAttribute"/>, <see cref="PublisherOptions.MapTopic{TEvent}"/> and the naming convention.</summary>
    public string? Topic { get; init; }

    /// <summary>The message key (UTF-8). Messages with the same key go to the same partition, in order. Null: no key.</summary>
    public string? Key { get; init; }

    /// <summary>A fixed partition. Null lets the partitioner choose (by key hash, or sticky when there is no key).</summary>
    public int? Partition { get; init; }

    /// <summary>Extra headers, written after the standard ones (<see cref="SamsaHeaders"/>).</summary>
    public Headers? Headers { get; init; }

    /// <summary>The <see cref="SamsaHeaders.CorrelationId"/> header. Null: the header is left out.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The <see cref="SamsaHeaders.EventId"/>. Null: a new version 7 GUID.</summary>
    public Guid? EventId { get; init; }

    /// <summary>The <see cref="SamsaHeaders.EventType"/>. Null: from <see cref="KafkaTopicAttribute.EventType"/> or the type's full name.</summary>
    public string? EventType { get; init; }

    /// <summary>The <see cref="SamsaHeaders.ContentType"/> of a raw payload (<see cref="IEventPublisher.PublishRawAsync"/>). Null: <c>application/json</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The message timestamp (CreateTime) and <see cref="SamsaHeaders.Timestamp"/>. Null: now, from the publisher's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

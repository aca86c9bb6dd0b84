using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Confluent.Kafka;
using Samsa.Consuming.Retry;
using Samsa.Diagnostics;
using Samsa.Publishing;

namespace Samsa.Consuming;

/// <summary>
/// Turns what a handler publishes through <see cref="ConsumeContext.Publish{TEvent}"/> into a Kafka message the way
/// <see cref="IEventPublisher"/> does: the topic from <see cref="PublishOptions.Topic"/>,
/// <see cref="PublisherOptions.MapTopic{TEvent}"/>, <see cref="KafkaTopicAttribute"/> or the naming convention; the value
/// through the configured <see cref="IEventSerializer"/>; and the <see cref="SamsaHeaders"/> plus the trace context of
/// the current activity (the record's <c>process</c> span).
/// </summary>
internal sealed class OutputMessageBuilder
{
    private readonly IEventSerializer _serializer;
    private readonly PublisherOptions _publisher;
    private readonly TimeProvider _timeProvider;
    private readonly byte[] _contentType;

    public OutputMessageBuilder(PublisherOptions publisher, TimeProvider timeProvider)
    {
        _publisher = publisher;
        _serializer = publisher.Serializer ?? new SystemTextJsonEventSerializer();
        _timeProvider = timeProvider;
        _contentType = Encoding.UTF8.GetBytes(_serializer.ContentType);
    }

    /// <summary>For a context made without a worker (tests): System.Text.Json, no topic map.</summary>
    public static OutputMessageBuilder Default { get; } = new(new PublisherOptions(), TimeProvider.System);

    /// <summary>The target and message of <paramref name="event"/>, published while handling <paramref name="input"/>.</summary>
    /// <exception cref="MisconfigurationException">No topic can be found for the event's type.</exception>
    public (TopicPartition Target, Message<byte[]?, byte[]?> Message) Build<TEvent>(TEvent @event, PublishOptions? options, Headers? input)
    {
        var type = typeof(TEvent);
        var attribute = type.GetCustomAttribute<KafkaTopicAttribute>(inherit: false);
        var topic = options?.Topic is { Length: > 0 } explicitTopic ? explicitTopic
            : _publisher.TopicMap.TryGetValue(type, out var mapped) ? mapped
            : attribute?.Name ?? _publisher.TopicNamingConvention?.Invoke(type)
            ?? throw new MisconfigurationException(
                $"No topic for event type {type.FullName ?? type.Name} published by a handler: put [KafkaTopic(\"name\")] on it, map it with " +
                $"AddPublisher(o => o.MapTopic<{type.Name}>(\"name\")), set PublisherOptions.TopicNamingConvention, or pass PublishOptions.Topic.");

        var buffer = new ArrayBufferWriter<byte>(256);
        _serializer.Serialize(@event, buffer);

        var publishedAt = options?.Timestamp ?? _timeProvider.GetUtcNow();
        var eventType = options?.EventType ?? attribute?.EventType ?? type.FullName ?? type.Name;
        var headers = new Headers
        {
            { SamsaHeaders.EventId, Encoding.UTF8.GetBytes((options?.EventId ?? Guid.CreateVersion7(publishedAt)).ToString("D")) },
            { SamsaHeaders.EventType, Encoding.UTF8.GetBytes(eventType) },
        };

        // A handler's output continues the conversation of its input unless told otherwise.
        if (options?.CorrelationId is { } correlation)
        {
            headers.Add(SamsaHeaders.CorrelationId, Encoding.UTF8.GetBytes(correlation));
        }
        else if (input is not null && input.TryGetLastBytes(SamsaHeaders.CorrelationId, out var inherited))
        {
            headers.Add(SamsaHeaders.CorrelationId, inherited);
        }

        headers.Add(SamsaHeaders.Timestamp, Encoding.UTF8.GetBytes(publishedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
        headers.Add(SamsaHeaders.ContentType, _contentType);
        if (options?.Headers is { } extra)
        {
            foreach (var header in extra)
            {
                headers.Add(header);
            }
        }

        if (Activity.Current is { } activity)
        {
            SamsaActivitySource.Inject(activity, headers);
        }

        var message = new Message<byte[]?, byte[]?>
        {
            Key = options?.Key is { } key ? Encoding.UTF8.GetBytes(key) : null,
            Value = buffer.WrittenSpan.ToArray(),
            Headers = headers,
            Timestamp = new Timestamp(publishedAt),
        };
        var target = new TopicPartition(topic, options?.Partition is { } partition ? new Partition(partition) : Partition.Any);
        return (target, message);
    }
}

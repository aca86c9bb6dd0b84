using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using Confluent.Kafka;
using Samsa.Diagnostics;
using Samsa.Native;

namespace Samsa.Publishing;

/// <summary>The publish path: topic and metadata per event type, serialization, headers, and the hand-over to Confluent.Kafka.</summary>
internal sealed partial class EventPublisher
{
    private static readonly byte[] _jsonContentType = Encoding.UTF8.GetBytes(PublisherDefaults.JsonContentType);

    private IProducer<byte[]?, byte[]> Producer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _producer ?? CreateProducer();
        }
    }

    private PublishOperation Send(
        string topic,
        EventTypeMetadata? metadata,
        byte[] value,
        byte[] contentType,
        PublishOptions? options,
        bool awaited,
        PublishCompletion? callback,
        object? callbackState,
        CancellationToken cancellationToken)
    {
        var producer = Producer;
        var buffers = PublishBuffers.Current;
        var publishedAt = options?.Timestamp ?? _timeProvider.GetUtcNow();
        var eventId = options?.EventId ?? Guid.CreateVersion7(publishedAt);

        // Standard header values: fixed-length ones are formatted into this thread's arrays, constant ones are cached arrays.
        eventId.TryFormat(buffers.EventId.Value, out _, "D");
        buffers.Timestamp.Value = FormatTimestamp(publishedAt, buffers.Timestamp.Value);
        buffers.ContentType.Value = contentType;
        var eventType = metadata?.EventTypeBytes;
        if (options?.EventType is { } explicitType)
        {
            eventType = buffers.EventTypes.Get(explicitType);
        }

        if (eventType is not null)
        {
            buffers.EventType.Value = eventType;
        }

        var correlationId = options?.CorrelationId;
        if (correlationId is not null)
        {
            buffers.CorrelationId.Value = Encoding.UTF8.GetBytes(correlationId);
        }

        var activity = StartActivity(topic);
        Headers headers;
        if (options?.Headers is { Count: > 0 } || activity is not null)
        {
            headers = buffers.NewHeaders(eventType is not null, correlationId is not null);
            if (options?.Headers is { } extra)
            {
                foreach (var header in extra)
                {
                    headers.Add(header);
                }
            }

            // The span's context (trace, state, baggage) is the record's creation context.
            if (activity is not null)
            {
                SamsaActivitySource.Inject(activity, headers);
            }
        }
        else
        {
            headers = buffers.StandardHeaders(eventType is not null, correlationId is not null);
        }

        var message = buffers.Message;
        message.Key = options?.Key is { } key ? Encoding.UTF8.GetBytes(key) : null;
        message.Value = value;
        message.Headers = headers;
        message.Timestamp = new Timestamp(publishedAt);

        var operation = RentOperation();
        if (awaited)
        {
            operation.StartAwaited(topic, eventId, publishedAt, _metrics is { PublishEnabled: true } ? Stopwatch.GetTimestamp() : 0, activity);
            operation.RegisterCancellation(cancellationToken);
        }
        else
        {
            operation.StartFireAndForget(topic, eventId, publishedAt, _metrics is { PublishEnabled: true } ? Stopwatch.GetTimestamp() : 0, activity, callback, callbackState);
        }

        var topicPartition = options?.Partition is { } partition
            ? new TopicPartition(topic, new Partition(partition))
            : metadata is not null && ReferenceEquals(metadata.Topic, topic) ? metadata.TopicPartition! : new TopicPartition(topic, Confluent.Kafka.Partition.Any);
        try
        {
            producer.Produce(topicPartition, message, operation.OnDelivery);
        }
        catch (ProduceException<byte[]?, byte[]> ex)
        {
            operation.Abandon();
            throw Rejected(topic, eventId, ex.Error, ex, activity);
        }
        catch (KafkaException ex)
        {
            operation.Abandon();
            throw Rejected(topic, eventId, ex.Error, ex, activity);
        }
        catch (ObjectDisposedException ex)
        {
            operation.Abandon();
            throw Rejected(topic, eventId, new Error(ErrorCode.Local_Destroy, "The publisher is disposed."), ex, activity);
        }
        finally
        {
            // Nothing of this thread's scratch message may stay reachable from it.
            message.Key = null;
            message.Value = null!;
            if (activity is not null)
            {
                Activity.Current = activity.Parent;
            }
        }

        return operation;
    }

    private PublishException Rejected(string topic, Guid eventId, Error error, Exception inner, Activity? activity)
    {
        _tracker.RecordFailure(error.Code, error.Reason, topic);
        _metrics?.RecordPublish(topic, -1, error.Code, 0);
        if (activity is not null)
        {
            SamsaActivitySource.CompleteSend(activity, -1, Offset.Unset.Value, error.Code, error.Reason);
        }

        return new PublishException($"Kafka did not accept the message for topic '{topic}': {error.Code}: {error.Reason}", error.Code, topic, PublishStatus.NotPersisted, inner)
        {
            EventId = eventId,
        };
    }

    private static byte[] FormatTimestamp(DateTimeOffset publishedAt, byte[] reusable)
    {
        Span<byte> scratch = stackalloc byte[40];
        publishedAt.UtcDateTime.TryFormat(scratch, out var written, "O", System.Globalization.CultureInfo.InvariantCulture);
        if (written == reusable.Length)
        {
            scratch[..written].CopyTo(reusable);
            return reusable;
        }

        return scratch[..written].ToArray();
    }

    private Activity? StartActivity(string topic) =>
        _options.DisableTracing || !SamsaActivitySource.HasListeners ? null : SamsaActivitySource.StartSend(topic);

    private byte[] Serialize<TEvent>(TEvent @event, string topic)
    {
        var buffer = PublishBuffers.Current.ResetPayload();
        try
        {
            _serializer.Serialize(@event, buffer);
        }
        catch (Exception ex) when (ex is not PublishException)
        {
            _tracker.RecordFailure(ErrorCode.Local_ValueSerialization, ex.Message, topic);
            throw new PublishException(
                $"Serializing {typeof(TEvent).FullName} for topic '{topic}' failed: {ex.Message}", ErrorCode.Local_ValueSerialization, topic, PublishStatus.NotPersisted, ex);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string ResolveTopic(EventTypeMetadata metadata, PublishOptions? options)
    {
        if (options?.Topic is { Length: > 0 } topic)
        {
            return topic;
        }

        return metadata.Topic ?? throw new PublishException(
            $"No topic for event type {metadata.EventType}: put [KafkaTopic(\"name\")] on it, map it with AddPublisher(o => o.MapTopic<{metadata.ClrName}>(\"name\")), " +
            "set PublisherOptions.TopicNamingConvention, or pass PublishOptions.Topic.",
            ErrorCode.Local_UnknownTopic, null);
    }

    private EventTypeMetadata Metadata<TEvent>()
    {
        var last = MetadataCache<TEvent>.Last;
        if (last is not null && ReferenceEquals(last.Owner, this))
        {
            return last.Metadata;
        }

        var metadata = _metadata.GetOrAdd(typeof(TEvent), static (type, options) => EventTypeMetadata.Create(type, options), _options);
        MetadataCache<TEvent>.Last = new MetadataCache<TEvent>(this, metadata);
        return metadata;
    }

    private IProducer<byte[]?, byte[]> CreateProducer()
    {
        lock (_createLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_producer is { } existing)
            {
                return existing;
            }

            LibrdkafkaLoader.EnsureLoaded();
            var config = _configFactory();
            if (config.Get("dotnet.producer.delivery.report.fields") is null)
            {
                config.DeliveryReportFields = PublisherDefaults.DeliveryReportFields;
            }

            _options.ConfigureProducer?.Invoke(config);
            var producer = new ProducerBuilder<byte[]?, byte[]>(config)
                .WithStatistics(config, _metrics?.ClientStatistics)
                .SetErrorHandler((_, error) => OnClientError(error))
                .SetLogHandler((_, message) => OnClientLog(message))
                .Build();
            _diagnosticsLoop = Task.Run(DrainDiagnosticsAsync);
            Log.ProducerCreated(_logger, producer.Name, config.BootstrapServers ?? string.Empty);
            _producer = producer;
            return producer;
        }
    }

    private void DisposeProducer()
    {
        IProducer<byte[]?, byte[]>? producer;
        lock (_createLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            producer = _producer;
        }

        // Confluent.Kafka serves no delivery report once disposed, so whatever is still in flight is failed here,
        // and every caller still waiting gets an answer.
        producer?.Dispose();
        _unacknowledgedGauges?.Dispose();
        _diagnostics.Writer.TryComplete();
        PublishOperation[] operations;
        lock (_allOperations)
        {
            operations = [.. _allOperations];
        }

        foreach (var operation in operations)
        {
            operation.FailUndelivered();
        }
    }

    /// <summary>The topic and type name of one event type for one publisher, worked out once.</summary>
    private sealed class EventTypeMetadata
    {
        private EventTypeMetadata(string clrName, string eventType, string? topic)
        {
            ClrName = clrName;
            EventType = eventType;
            EventTypeBytes = Encoding.UTF8.GetBytes(eventType);
            Topic = topic;
            TopicPartition = topic is null ? null : new TopicPartition(topic, Confluent.Kafka.Partition.Any);
        }

        public string ClrName { get; }

        public string EventType { get; }

        public byte[] EventTypeBytes { get; }

        public string? Topic { get; }

        public TopicPartition? TopicPartition { get; }

        public static EventTypeMetadata Create(Type type, PublisherOptions options)
        {
            var attribute = type.GetCustomAttribute<KafkaTopicAttribute>(inherit: false);
            var topic = options.TopicMap.TryGetValue(type, out var mapped) ? mapped
                : attribute?.Name ?? options.TopicNamingConvention?.Invoke(type);
            return new EventTypeMetadata(type.Name, attribute?.EventType ?? type.FullName ?? type.Name, topic);
        }
    }

    private sealed class MetadataCache<TEvent>(EventPublisher owner, EventTypeMetadata metadata)
    {
        public static MetadataCache<TEvent>? Last;

        public EventPublisher Owner { get; } = owner;

        public EventTypeMetadata Metadata { get; } = metadata;
    }
}

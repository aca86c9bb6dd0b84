using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Samsa.Diagnostics;

/// <summary>Publishing block (3000-3999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, EventName = "ProducerCreated", Level = LogLevel.Information,
        Message = "Kafka producer {ClientName} created for {BootstrapServers}")]
    public static partial void ProducerCreated(ILogger logger, string clientName, string bootstrapServers);

    [LoggerMessage(EventId = 3001, EventName = "PublishFailed", Level = LogLevel.Warning,
        Message = "Publishing event {EventId} to {Topic} failed with {ErrorCode}: {Reason}")]
    public static partial void PublishFailed(ILogger logger, Guid eventId, string topic, ErrorCode errorCode, string reason);

    [LoggerMessage(EventId = 3002, EventName = "ProducerError", Level = LogLevel.Warning,
        Message = "Kafka producer error {ErrorCode} (fatal: {IsFatal}): {Reason}")]
    public static partial void ProducerError(ILogger logger, ErrorCode errorCode, bool isFatal, string reason);

    [LoggerMessage(EventId = 3003, EventName = "ProducerLog",
        Message = "librdkafka {Facility}: {Text}")]
    public static partial void ProducerLog(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(EventId = 3004, EventName = "FlushStarted", Level = LogLevel.Information,
        Message = "Flushing {Count} queued Kafka messages (waiting at most {Timeout})")]
    public static partial void FlushStarted(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 3005, EventName = "FlushIncomplete", Level = LogLevel.Error,
        Message = "{Count} Kafka messages were not delivered within {Timeout}; they are purged and their publishers get an error")]
    public static partial void FlushIncomplete(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 3006, EventName = "PublishCallbackFailed", Level = LogLevel.Error,
        Message = "A publish completion callback threw for event {EventId} on {Topic}")]
    public static partial void PublishCallbackFailed(ILogger logger, Exception exception, Guid eventId, string topic);

    [LoggerMessage(EventId = 3007, EventName = "ProducerEventsDropped", Level = LogLevel.Warning,
        Message = "{Count} librdkafka log or error events were dropped because the diagnostics queue was full")]
    public static partial void ProducerEventsDropped(ILogger logger, long count);

    [LoggerMessage(EventId = 3008, EventName = "FlushCompleted", Level = LogLevel.Information,
        Message = "Kafka producer flushed in {Elapsed}")]
    public static partial void FlushCompleted(ILogger logger, TimeSpan elapsed);
}

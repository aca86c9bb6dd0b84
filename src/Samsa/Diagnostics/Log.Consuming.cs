using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Samsa.Consuming.Retry;

namespace Samsa.Diagnostics;

/// <summary>Consuming block (4000-4999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, EventName = "ConsumerStarted", Level = LogLevel.Information,
        Message = "Consumer of {Topics} in group {GroupId} started: {DeliveryMode}, instance {InstanceId}, transactional.id {TransactionalId}, group.instance.id {GroupInstanceId} ({Strategy}, at most {MaxInFlight} records in flight per partition, handler {HandlerMode})")]
    public static partial void ConsumerStarted(
        ILogger logger, string topics, string groupId, string deliveryMode, string instanceId, string transactionalId, string groupInstanceId, PartitionAssignmentStrategy strategy, int maxInFlight, string handlerMode);

    [LoggerMessage(EventId = 4001, EventName = "PartitionsAssigned", Level = LogLevel.Information,
        Message = "Group {GroupId} assigned {Partitions}")]
    public static partial void PartitionsAssigned(ILogger logger, string groupId, string partitions);

    [LoggerMessage(EventId = 4002, EventName = "PartitionsRevoked", Level = LogLevel.Information,
        Message = "Group {GroupId} revoked {Partitions}; committed {Committed}")]
    public static partial void PartitionsRevoked(ILogger logger, string groupId, string partitions, string committed);

    [LoggerMessage(EventId = 4003, EventName = "PartitionsLost", Level = LogLevel.Warning,
        Message = "Group {GroupId} lost {Partitions} (fell out of the group); their unhandled and uncommitted records go to the next owner")]
    public static partial void PartitionsLost(ILogger logger, string groupId, string partitions);

    [LoggerMessage(EventId = 4004, EventName = "OffsetsCommitted", Level = LogLevel.Debug,
        Message = "Group {GroupId} committed {Offsets}")]
    public static partial void OffsetsCommitted(ILogger logger, string groupId, string offsets);

    [LoggerMessage(EventId = 4005, EventName = "CommitFailed", Level = LogLevel.Warning,
        Message = "Group {GroupId} could not commit {Offsets}: {Error}; the records after the last commit may be handled again")]
    public static partial void CommitFailed(ILogger logger, string groupId, string offsets, string error);

    [LoggerMessage(EventId = 4006, EventName = "HandlerFailed", Level = LogLevel.Warning,
        Message = "Handling {Topic}[{Partition}]@{Offset} failed on attempt {Attempt} ({Kind})")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string topic, int partition, long offset, int attempt, FailureKind kind);

    [LoggerMessage(EventId = 4007, EventName = "RetryingInPlace", Level = LogLevel.Debug,
        Message = "Retrying {Topic}[{Partition}]@{Offset} (attempt {Attempt} of {MaxAttempts}) in {Delay}")]
    public static partial void RetryingInPlace(ILogger logger, string topic, int partition, long offset, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(EventId = 4008, EventName = "ForwardedToRetryTopic", Level = LogLevel.Information,
        Message = "Forwarded {Topic}[{Partition}]@{Offset} to {RetryTopic}, due again in {Delay} (attempts so far {Attempts})")]
    public static partial void ForwardedToRetryTopic(ILogger logger, string topic, int partition, long offset, string retryTopic, TimeSpan delay, int attempts);

    [LoggerMessage(EventId = 4009, EventName = "DeadLettered", Level = LogLevel.Warning,
        Message = "Dead-lettered {Topic}[{Partition}]@{Offset} to {DeadLetterTopic} ({Reason}, {Attempts} attempt(s), {ExceptionType})")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, string reason, int attempts, string exceptionType);

    [LoggerMessage(EventId = 4010, EventName = "ForwardFailed", Level = LogLevel.Error,
        Message = "Could not write {Topic}[{Partition}]@{Offset} to {Target} (failure {Failures}); the partition waits and tries again in {Delay}, committing nothing past it")]
    public static partial void ForwardFailed(ILogger logger, Exception exception, string topic, int partition, long offset, string target, int failures, TimeSpan delay);

    [LoggerMessage(EventId = 4011, EventName = "DependencyDown", Level = LogLevel.Warning,
        Message = "A dependency of the handler is down ({Topic}[{Partition}]@{Offset}); the partition is paused and probed every {Interval}")]
    public static partial void DependencyDown(ILogger logger, Exception exception, string topic, int partition, long offset, TimeSpan interval);

    [LoggerMessage(EventId = 4012, EventName = "DependencyBack", Level = LogLevel.Information,
        Message = "The handler's dependency is back; {Topic}[{Partition}] resumes")]
    public static partial void DependencyBack(ILogger logger, string topic, int partition);

    [LoggerMessage(EventId = 4013, EventName = "DependencyProbeFailed", Level = LogLevel.Debug,
        Message = "The dependency probe of {Topic}[{Partition}] threw; still down")]
    public static partial void DependencyProbeFailed(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(EventId = 4014, EventName = "RecordPoisoned", Level = LogLevel.Warning,
        Message = "{Topic}[{Partition}]@{Offset} could not be deserialized; it goes to the dead-letter topic")]
    public static partial void RecordPoisoned(ILogger logger, Exception exception, string topic, int partition, long offset);

    [LoggerMessage(EventId = 4015, EventName = "ConsumerStopping", Level = LogLevel.Information,
        Message = "Consumer of {Topic} in group {GroupId} stopping; waiting at most {Timeout} for {InProgress} partition(s) with records in progress")]
    public static partial void ConsumerStopping(ILogger logger, string topic, string groupId, TimeSpan timeout, int inProgress);

    [LoggerMessage(EventId = 4016, EventName = "DrainTimedOut", Level = LogLevel.Warning,
        Message = "Handler calls on {Partitions} did not finish within {Timeout} ({Why}); they are cancelled, and their records are left for the next owner")]
    public static partial void DrainTimedOut(ILogger logger, string partitions, TimeSpan timeout, string why);

    [LoggerMessage(EventId = 4017, EventName = "ConsumerStopped", Level = LogLevel.Information,
        Message = "Consumer of {Topic} in group {GroupId} stopped: {Handled} handled, {DeadLettered} dead-lettered, {Forwarded} sent to retry topics")]
    public static partial void ConsumerStopped(ILogger logger, string topic, string groupId, long handled, long deadLettered, long forwarded);

    [LoggerMessage(EventId = 4018, EventName = "ConsumerFaulted", Level = LogLevel.Critical,
        Message = "Consumer of {Topic} in group {GroupId} stopped on an error it cannot recover from")]
    public static partial void ConsumerFaulted(ILogger logger, Exception exception, string topic, string groupId);

    [LoggerMessage(EventId = 4024, EventName = "ConsumerMisconfigured", Level = LogLevel.Critical, Message = "{Explanation}")]
    public static partial void ConsumerMisconfigured(ILogger logger, Exception exception, string explanation);

    [LoggerMessage(EventId = 4019, EventName = "ConsumerClientError", Level = LogLevel.Warning,
        Message = "Kafka consumer error {Code} (fatal: {IsFatal}): {Reason}")]
    public static partial void ConsumerClientError(ILogger logger, ErrorCode code, bool isFatal, string reason);

    [LoggerMessage(EventId = 4020, EventName = "ConsumerLog",
        Message = "librdkafka {Client} {Facility}: {Text}")]
    public static partial void ConsumerLog(ILogger logger, LogLevel level, string client, string facility, string text);

    [LoggerMessage(EventId = 4021, EventName = "ConsumeFailed", Level = LogLevel.Warning,
        Message = "Consume failed on {Topic}[{Partition}]: {Code}: {Reason}")]
    public static partial void ConsumeFailed(ILogger logger, string topic, int partition, ErrorCode code, string reason);

    [LoggerMessage(EventId = 4022, EventName = "ConsumerCrashed", Level = LogLevel.Warning,
        Message = "Consumer of {Topic} in group {GroupId} crashed on purpose: nothing committed, the group not told")]
    public static partial void ConsumerCrashed(ILogger logger, string topic, string groupId);

    [LoggerMessage(EventId = 4023, EventName = "ConsumerEventsDropped", Level = LogLevel.Warning,
        Message = "{Count} librdkafka log or error events of a consumer were dropped because the diagnostics queue was full")]
    public static partial void ConsumerEventsDropped(ILogger logger, long count);

    [LoggerMessage(EventId = 4030, EventName = "ReplayStarted", Level = LogLevel.Information,
        Message = "Replaying {DeadLetterTopic} ({Mode}): {Filter}")]
    public static partial void ReplayStarted(ILogger logger, string deadLetterTopic, string mode, string filter);

    [LoggerMessage(EventId = 4031, EventName = "ReplayedRecord", Level = LogLevel.Debug,
        Message = "Replayed {DeadLetterTopic}[{Partition}]@{Offset} to {Target}")]
    public static partial void ReplayedRecord(ILogger logger, string deadLetterTopic, int partition, long offset, string target);

    [LoggerMessage(EventId = 4032, EventName = "ReplayFinished", Level = LogLevel.Information,
        Message = "Replay of {DeadLetterTopic} ({Mode}) done: {Scanned} scanned, {Matched} matched, {Replayed} replayed, {AlreadyReplayed} already replayed before")]
    public static partial void ReplayFinished(ILogger logger, string deadLetterTopic, string mode, int scanned, int matched, int replayed, int alreadyReplayed);

    [LoggerMessage(EventId = 4040, EventName = "TransactionAborted", Level = LogLevel.Warning,
        Message = "Transaction of group {GroupId} aborted ({Reason}); its partitions go back to their last committed offsets")]
    public static partial void TransactionAborted(ILogger logger, Exception? exception, string groupId, string reason);

    [LoggerMessage(EventId = 4041, EventName = "TransactionCommitted", Level = LogLevel.Debug,
        Message = "Transaction of group {GroupId} committed {Records} record(s): {Offsets}")]
    public static partial void TransactionCommitted(ILogger logger, string groupId, int records, string offsets);

    [LoggerMessage(EventId = 4042, EventName = "PartitionsRewound", Level = LogLevel.Information,
        Message = "Group {GroupId} reads again from {Offsets} after an aborted transaction")]
    public static partial void PartitionsRewound(ILogger logger, string groupId, string offsets);

    [LoggerMessage(EventId = 4043, EventName = "TransactionTimeoutTooShort", Level = LogLevel.Warning,
        Message = "Group {GroupId} commits its transactions every {CommitInterval}, but transaction.timeout.ms is {TransactionTimeout}: the coordinator may abort them first; make the commit interval shorter")]
    public static partial void TransactionTimeoutTooShort(ILogger logger, string groupId, TimeSpan commitInterval, TimeSpan transactionTimeout);
}

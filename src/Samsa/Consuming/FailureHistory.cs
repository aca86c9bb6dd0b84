using Confluent.Kafka;
using Samsa.Consuming.Retry;

namespace Samsa.Consuming;

/// <summary>
/// What is known about a record's failures: where it was first read, how many handler calls failed, when, and the
/// last exception. A record from the source topic starts empty; one from a retry topic starts from its retry headers.
/// </summary>
internal sealed class FailureHistory
{
    private FailureHistory(string originalTopic, int originalPartition, long originalOffset, DateTimeOffset originalTimestamp)
    {
        OriginalTopic = originalTopic;
        OriginalPartition = originalPartition;
        OriginalOffset = originalOffset;
        OriginalTimestamp = originalTimestamp;
    }

    public string OriginalTopic { get; }

    public int OriginalPartition { get; }

    public long OriginalOffset { get; }

    public DateTimeOffset OriginalTimestamp { get; }

    /// <summary>Handler calls that failed (and, for deserialization failures, 0).</summary>
    public int Attempts { get; private set; }

    public DateTimeOffset? FirstFailure { get; private set; }

    public DateTimeOffset? LastFailure { get; private set; }

    public Exception? LastException { get; private set; }

    /// <summary>The last exception's type, also when it is only known from the headers.</summary>
    public string? LastExceptionType { get; private set; }

    /// <summary>The last exception's message, also when it is only known from the headers.</summary>
    public string? LastExceptionMessage { get; private set; }

    /// <summary>A record read from its source topic: no failures yet.</summary>
    public static FailureHistory Fresh(ConsumeResult<byte[]?, byte[]?> record) =>
        new(record.Topic, record.Partition.Value, record.Offset.Value, DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs));

    /// <summary>A record read from a retry topic: its history from the retry headers (the record itself where they are missing).</summary>
    public static FailureHistory FromRetryHeaders(ConsumeResult<byte[]?, byte[]?> record)
    {
        var headers = record.Message.Headers;
        var history = new FailureHistory(
            HeaderValues.GetText(headers, RetryHeaders.OriginalTopic) ?? record.Topic,
            (int)(HeaderValues.GetNumber(headers, RetryHeaders.OriginalPartition) ?? record.Partition.Value),
            HeaderValues.GetNumber(headers, RetryHeaders.OriginalOffset) ?? record.Offset.Value,
            HeaderValues.GetTime(headers, RetryHeaders.OriginalTimestamp) ?? DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs))
        {
            Attempts = (int)Math.Clamp(HeaderValues.GetNumber(headers, RetryHeaders.Attempts) ?? 0, 0, int.MaxValue),
            FirstFailure = HeaderValues.GetTime(headers, RetryHeaders.FirstFailure),
            LastFailure = HeaderValues.GetTime(headers, RetryHeaders.LastFailure),
            LastExceptionType = HeaderValues.GetText(headers, RetryHeaders.ExceptionType),
            LastExceptionMessage = HeaderValues.GetText(headers, RetryHeaders.ExceptionMessage),
        };
        return history;
    }

    /// <summary>Records a failed handler call (or, with <paramref name="countsAsAttempt"/> false, a failure before any call).</summary>
    public void Failed(Exception exception, DateTimeOffset at, bool countsAsAttempt = true)
    {
        if (countsAsAttempt)
        {
            Attempts++;
        }

        FirstFailure ??= at;
        LastFailure = at;
        LastException = exception;
        LastExceptionType = exception.GetType().FullName ?? exception.GetType().Name;
        LastExceptionMessage = exception.Message;
    }
}

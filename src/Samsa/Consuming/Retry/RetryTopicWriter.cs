using Confluent.Kafka;

namespace Samsa.Consuming.Retry;

/// <summary>
/// Forwards a record that failed transiently to the next retry topic, with its own key, value and headers (without
/// older retry headers) plus the <see cref="RetryHeaders"/>, among them the time it is due again. The partition it
/// came from moves on once Kafka acknowledges the copy.
/// </summary>
internal sealed class RetryTopicWriter
{
    private readonly IRecordProducer _producer;

    public RetryTopicWriter(string sourceTopic, string groupId, IReadOnlyList<TimeSpan> delays, IRecordProducer producer)
    {
        SourceTopic = sourceTopic;
        GroupId = groupId;
        Delays = delays;
        _producer = producer;
    }

    public string SourceTopic { get; }

    public string GroupId { get; }

    /// <summary>The delay of each level, level 1 first.</summary>
    public IReadOnlyList<TimeSpan> Delays { get; }

    /// <summary>Writes <paramref name="record"/> to the retry topic of <paramref name="level"/>, due its delay after the last failure.</summary>
    public Task WriteAsync(ConsumeResult<byte[]?, byte[]?> record, FailureHistory history, int level, DateTimeOffset now, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(RetryTopicNames.Retry(SourceTopic, level), Build(record, history, level, now), cancellationToken);

    /// <summary>The copy of <paramref name="record"/> for the retry topic of <paramref name="level"/>, due its delay after the last failure.</summary>
    public Message<byte[]?, byte[]?> Build(ConsumeResult<byte[]?, byte[]?> record, FailureHistory history, int level, DateTimeOffset now) =>
        Build(record, history, GroupId, (history.LastFailure ?? now) + Delays[level - 1]);

    /// <summary>The retry copy of <paramref name="record"/>, due at <paramref name="due"/>.</summary>
    public static Message<byte[]?, byte[]?> Build(ConsumeResult<byte[]?, byte[]?> record, FailureHistory history, string groupId, DateTimeOffset due)
    {
        var headers = HeaderValues.WithoutRoutingHeaders(record.Message.Headers);
        Diagnostics.SamsaActivitySource.InjectCurrent(headers);
        headers.Add(RetryHeaders.OriginalTopic, HeaderValues.Text(history.OriginalTopic));
        headers.Add(RetryHeaders.OriginalPartition, HeaderValues.Number(history.OriginalPartition));
        headers.Add(RetryHeaders.OriginalOffset, HeaderValues.Number(history.OriginalOffset));
        headers.Add(RetryHeaders.OriginalTimestamp, HeaderValues.Time(history.OriginalTimestamp));
        headers.Add(RetryHeaders.Group, HeaderValues.Text(groupId));
        headers.Add(RetryHeaders.Attempts, HeaderValues.Number(history.Attempts));
        if (history.FirstFailure is { } first)
        {
            headers.Add(RetryHeaders.FirstFailure, HeaderValues.Time(first));
        }

        if (history.LastFailure is { } last)
        {
            headers.Add(RetryHeaders.LastFailure, HeaderValues.Time(last));
        }

        headers.Add(RetryHeaders.Due, HeaderValues.Time(due));
        headers.Add(RetryHeaders.ExceptionType, HeaderValues.Text(history.LastExceptionType ?? string.Empty));
        headers.Add(RetryHeaders.ExceptionMessage, HeaderValues.Text(HeaderValues.Bounded(history.LastExceptionMessage, ConsumerDefaults.MaxExceptionMessageLength)));
        return new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
    }
}

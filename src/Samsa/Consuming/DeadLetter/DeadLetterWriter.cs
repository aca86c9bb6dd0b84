using Confluent.Kafka;

namespace Samsa.Consuming.DeadLetter;

/// <summary>
/// Writes a failed record to the dead-letter topic: its key, value and headers as they were (without Samsa's retry
/// headers), plus the <see cref="DeadLetterHeaders"/>. The write completes when Kafka acknowledges it; until then the
/// record's offset is not committed.
/// </summary>
internal sealed class DeadLetterWriter
{
    private readonly IRecordProducer _producer;

    public DeadLetterWriter(string topic, string groupId, IRecordProducer producer)
    {
        Topic = topic;
        GroupId = groupId;
        _producer = producer;
    }

    /// <summary>The dead-letter topic.</summary>
    public string Topic { get; }

    /// <summary>The group written into <see cref="DeadLetterHeaders.Group"/>.</summary>
    public string GroupId { get; }

    /// <summary>Writes the dead letter of <paramref name="record"/>.</summary>
    public Task WriteAsync(ConsumeResult<byte[]?, byte[]?> record, FailureHistory history, string reason, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(Topic, Build(record, history, reason, GroupId), cancellationToken);

    /// <summary>The dead letter of <paramref name="record"/>.</summary>
    public static Message<byte[]?, byte[]?> Build(ConsumeResult<byte[]?, byte[]?> record, FailureHistory history, string reason, string groupId)
    {
        var headers = HeaderValues.WithoutRoutingHeaders(record.Message.Headers);
        Diagnostics.SamsaActivitySource.InjectCurrent(headers);
        headers.Add(DeadLetterHeaders.OriginalTopic, HeaderValues.Text(history.OriginalTopic));
        headers.Add(DeadLetterHeaders.OriginalPartition, HeaderValues.Number(history.OriginalPartition));
        headers.Add(DeadLetterHeaders.OriginalOffset, HeaderValues.Number(history.OriginalOffset));
        headers.Add(DeadLetterHeaders.OriginalTimestamp, HeaderValues.Time(history.OriginalTimestamp));
        headers.Add(DeadLetterHeaders.Group, HeaderValues.Text(groupId));
        headers.Add(DeadLetterHeaders.Reason, HeaderValues.Text(reason));
        headers.Add(DeadLetterHeaders.ExceptionType, HeaderValues.Text(history.LastExceptionType ?? string.Empty));
        headers.Add(DeadLetterHeaders.ExceptionMessage, HeaderValues.Text(HeaderValues.Bounded(history.LastExceptionMessage, ConsumerDefaults.MaxExceptionMessageLength)));
        headers.Add(DeadLetterHeaders.ExceptionStackTrace, HeaderValues.Text(HeaderValues.Bounded(history.LastException?.ToString(), ConsumerDefaults.MaxStackTraceLength)));
        headers.Add(DeadLetterHeaders.Attempts, HeaderValues.Number(history.Attempts));
        if (history.FirstFailure is { } first)
        {
            headers.Add(DeadLetterHeaders.FirstFailure, HeaderValues.Time(first));
        }

        if (history.LastFailure is { } last)
        {
            headers.Add(DeadLetterHeaders.LastFailure, HeaderValues.Time(last));
        }

        return new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers };
    }
}

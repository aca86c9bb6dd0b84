using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>
/// The batch being handled by an <see cref="IEventBatchHandler{TEvent}"/>: its partition, which records the handler
/// marked failed, and the output API of <see cref="ConsumeContext"/>. Valid for one handler call only.
/// </summary>
public sealed class ConsumeBatchContext
{
    private readonly ConsumeContext _outputs;
    private readonly Exception?[] _failures;

    /// <param name="outputs">The context whose outbox takes the batch's outputs, loaded with the batch's first record (trace and correlation come from it).</param>
    /// <param name="count">The number of records in the batch.</param>
    internal ConsumeBatchContext(ConsumeContext outputs, int count)
    {
        _outputs = outputs;
        _failures = new Exception?[count];
    }

    /// <summary>The consumer group.</summary>
    public string GroupId => _outputs.GroupId;

    /// <summary>The topic the consumer was registered for.</summary>
    public string SourceTopic => _outputs.SourceTopic;

    /// <summary>The topic the batch was read from.</summary>
    public string Topic => _outputs.Topic;

    /// <summary>The partition every record of the batch comes from.</summary>
    public int Partition => _outputs.Partition;

    /// <summary>True in exactly-once mode: the outputs join the transaction of the batch's offsets.</summary>
    public bool Transactional => _outputs.Transactional;

    /// <summary>The same token as the handler's parameter.</summary>
    public CancellationToken CancellationToken => _outputs.CancellationToken;

    /// <summary>How many records the handler marked failed.</summary>
    public int FailedCount { get; private set; }

    /// <summary>
    /// Marks <paramref name="record"/> failed with <paramref name="exception"/>: once the handler returns, it goes through
    /// the failure path on its own (classified, retried in place as a batch of one, forwarded to a retry topic or
    /// dead-lettered) while the batch's other records count as handled. Marking it again replaces the exception.
    /// </summary>
    public void Fail<TEvent>(ConsumedRecord<TEvent> record, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(exception);
        if (record.Index >= _failures.Length || record.Partition != Partition)
        {
            throw new ArgumentException("The record is not part of this batch.", nameof(record));
        }

        if (_failures[record.Index] is null)
        {
            FailedCount++;
        }

        _failures[record.Index] = exception;
    }

    /// <summary>Publishes <paramref name="event"/> as an output of the batch; see <see cref="ConsumeContext.Publish{TEvent}"/>.</summary>
    public void Publish<TEvent>(TEvent @event, Publishing.PublishOptions? options = null) => _outputs.Publish(@event, options);

    /// <summary>Publishes <paramref name="event"/> to <paramref name="topic"/> with <paramref name="key"/> as an output of the batch.</summary>
    public void Produce<TEvent>(string topic, string? key, TEvent @event) => _outputs.Produce(topic, key, @event);

    /// <summary>Produces <paramref name="message"/> to <paramref name="topic"/> as it is, as an output of the batch.</summary>
    public void Produce(string topic, Message<byte[]?, byte[]?> message) => _outputs.Produce(topic, message);

    /// <summary>The exception the record at <paramref name="index"/> was marked failed with, or null.</summary>
    internal Exception? FailureAt(int index) => _failures[index];
}

using System.Text;
using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>
/// Where the record being handled came from and how many times it has been tried. Valid for one handler call only;
/// do not keep it after <see cref="IEventHandler{TEvent}.HandleAsync"/> returns.
/// </summary>
/// <remarks>
/// Each partition's processor reuses one instance for its records (it handles them one at a time), so that handling a
/// record allocates nothing: after the call returns, the same object describes the partition's next record.
/// </remarks>
public sealed class ConsumeContext
{
    /// <summary>What an instance made by <see cref="ConsumeContext(string, string, bool)"/> describes until it is loaded.</summary>
    private static readonly ConsumeResult<byte[]?, byte[]?> NoRecord = new() { Message = new Message<byte[]?, byte[]?>() };

    private ConsumeResult<byte[]?, byte[]?> _record;
    private string? _key;

    internal ConsumeContext(
        string groupId,
        string sourceTopic,
        ConsumeResult<byte[]?, byte[]?> record,
        int attempt,
        int retryLevel,
        CancellationToken cancellationToken)
    {
        _record = record;
        GroupId = groupId;
        SourceTopic = sourceTopic;
        Attempt = attempt;
        RetryLevel = retryLevel;
        CancellationToken = cancellationToken;
    }

    /// <summary>A reusable instance for one partition's records; <see cref="Load"/> points it at each record in turn.</summary>
    internal ConsumeContext(string groupId, string sourceTopic, bool transactional)
    {
        _record = NoRecord;
        GroupId = groupId;
        SourceTopic = sourceTopic;
        Transactional = transactional;
    }

    /// <summary>The record this instance describes (a batch handler's batch of one is built from it).</summary>
    internal ConsumeResult<byte[]?, byte[]?> Record => _record;

    /// <summary>The consumer group.</summary>
    public string GroupId { get; }

    /// <summary>The topic the consumer was registered for (for a record read from a retry topic, the topic it first failed on).</summary>
    public string SourceTopic { get; }

    /// <summary>The topic the record was read from: <see cref="SourceTopic"/>, or one of its retry topics.</summary>
    public string Topic => _record.Topic;

    /// <summary>The partition the record was read from.</summary>
    public int Partition => _record.Partition.Value;

    /// <summary>The record's offset in <see cref="Topic"/>.</summary>
    public long Offset => _record.Offset.Value;

    /// <summary>The record's timestamp.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(_record.Message.Timestamp.UnixTimestampMs);

    /// <summary>The key as sent, or null.</summary>
    public byte[]? RawKey => _record.Message.Key;

    /// <summary>The key as UTF-8 text, or null when there is none.</summary>
    public string? Key => _key ??= RawKey is null ? null : Encoding.UTF8.GetString(RawKey);

    /// <summary>The value as sent (before deserialization), or null for a tombstone.</summary>
    public byte[]? RawValue => _record.Message.Value;

    /// <summary>The record's headers, Samsa's retry headers included when the record came from a retry topic.</summary>
    public Headers Headers => _record.Message.Headers ??= [];

    /// <summary>
    /// Which handler call this is for the record, from 1: in-place retries and each retry topic add one. A replayed
    /// dead letter starts again at 1.
    /// </summary>
    public int Attempt { get; private set; }

    /// <summary>0 for a record from <see cref="SourceTopic"/>, n for one from its n-th retry topic.</summary>
    public int RetryLevel { get; private set; }

    /// <summary>The same token as the handler's parameter.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>What the handler produced through <see cref="Produce"/> and <see cref="Publish{TEvent}"/> in this call, in order.</summary>
    internal List<Message<byte[]?, byte[]?>>? Outbox { get; private set; }

    /// <summary>Where each message of <see cref="Outbox"/> goes, index for index.</summary>
    internal List<TopicPartition>? OutboxTopics { get; private set; }

    /// <summary>True when the worker runs in exactly-once mode: the outputs join the Kafka transaction of the record's offset.</summary>
    public bool Transactional { get; internal init; }

    /// <summary>The handler the record was routed to, when the consumer has several (<see cref="EventRoutes"/>).</summary>
    internal EventDispatcher? Route { get; set; }

    /// <summary>How <see cref="Publish{TEvent}"/> builds messages (the worker's serializer and topic map).</summary>
    internal OutputMessageBuilder? Outputs { get; init; }

    /// <summary>
    /// Makes this instance describe one handler call of <paramref name="record"/>: the cached key and the previous
    /// call's outbox are dropped (the outbox lists are replaced, not cleared, so lists already handed to the
    /// transaction stay as they were).
    /// </summary>
    internal ConsumeContext Load(ConsumeResult<byte[]?, byte[]?> record, int attempt, int retryLevel, CancellationToken cancellationToken)
    {
        _record = record;
        _key = null;
        Attempt = attempt;
        RetryLevel = retryLevel;
        CancellationToken = cancellationToken;
        Outbox = null;
        OutboxTopics = null;
        return this;
    }

    /// <summary>
    /// Publishes <paramref name="event"/> as an output of this record, the way <see cref="Publishing.IEventPublisher"/>
    /// does: topic from <paramref name="options"/>, <c>MapTopic</c>, <see cref="Publishing.KafkaTopicAttribute"/> or the
    /// naming convention; value through the serializer of <c>AddPublisher</c> (System.Text.Json by default); the
    /// <see cref="Publishing.SamsaHeaders"/> (event id, type, timestamp, content type, the input's correlation id unless
    /// given) and the trace context of the record's <c>process</c> span.
    /// </summary>
    /// <remarks>
    /// The output is kept until the handler returns; if the handler throws, this attempt's outputs are dropped. Then,
    /// at least once (the default): the outputs are sent in order and the record's offset is committed only after Kafka
    /// acknowledged all of them (a failed send is retried with backoff while the partition waits; after a crash the
    /// record is handled again and may publish again). Exactly-once (<see cref="ConsumerOptions.ExactlyOnce"/>): they
    /// join the Kafka transaction that commits the record's offset. The handler is the same in both modes.
    /// </remarks>
    /// <exception cref="Retry.MisconfigurationException">No topic can be found for <typeparamref name="TEvent"/> (the worker stops).</exception>
    public void Publish<TEvent>(TEvent @event, Publishing.PublishOptions? options = null)
    {
        var (target, message) = (Outputs ?? OutputMessageBuilder.Default).Build(@event, options, _record.Message.Headers);
        Add(target, message);
    }

    /// <summary>Publishes <paramref name="event"/> to <paramref name="topic"/> with <paramref name="key"/>; see <see cref="Publish{TEvent}"/>.</summary>
    public void Produce<TEvent>(string topic, string? key, TEvent @event)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        Publish(@event, new Publishing.PublishOptions { Topic = topic, Key = key });
    }

    /// <summary>
    /// Produces <paramref name="message"/> to <paramref name="topic"/> as it is (no serializer, no headers added) as an
    /// output of this record; delivered as <see cref="Publish{TEvent}"/> describes, in both delivery modes.
    /// </summary>
    public void Produce(string topic, Message<byte[]?, byte[]?> message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(message);
        Add(new TopicPartition(topic, Confluent.Kafka.Partition.Any), message);
    }

    private void Add(TopicPartition target, Message<byte[]?, byte[]?> message)
    {
        (Outbox ??= []).Add(message);
        (OutboxTopics ??= []).Add(target);
    }
}

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

    /// <summary>Messages the handler produced through <see cref="Produce"/> (exactly-once mode only).</summary>
    internal List<Message<byte[]?, byte[]?>>? Outbox { get; private set; }

    /// <summary>The topics of <see cref="Outbox"/>, index for index.</summary>
    internal List<string>? OutboxTopics { get; private set; }

    /// <summary>True when the worker runs in exactly-once mode and <see cref="Produce"/> may be used.</summary>
    internal bool Transactional { get; init; }

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
    /// Exactly-once mode only: produces <paramref name="message"/> to <paramref name="topic"/> inside the Kafka
    /// transaction that also commits this record's offset. The message is kept until the handler returns; if the
    /// handler throws, this attempt's messages are dropped, so a retried record never produces twice.
    /// </summary>
    /// <exception cref="InvalidOperationException">The consumer does not run in exactly-once mode.</exception>
    public void Produce(string topic, Message<byte[]?, byte[]?> message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(message);
        if (!Transactional)
        {
            throw new InvalidOperationException(
                "ConsumeContext.Produce needs exactly-once mode: set ConsumerOptions.ExactlyOnce = true in AddConsumer, or publish with IEventPublisher.");
        }

        (Outbox ??= []).Add(message);
        (OutboxTopics ??= []).Add(topic);
    }
}

namespace Samsa.Publishing;

/// <summary>Whether Kafka has the message, as librdkafka reports it.</summary>
public enum PublishStatus
{
    /// <summary>The message was not written (it failed before it was sent, or the broker rejected it).</summary>
    NotPersisted = 0,

    /// <summary>The message was sent but not acknowledged (a timeout or a lost connection): it may be in the log.</summary>
    PossiblyPersisted = 1,

    /// <summary>The broker acknowledged the message (with acks=all, every in-sync replica has it).</summary>
    Persisted = 2,
}

/// <summary>Where an acknowledged event landed.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset in the partition; -1 when not known (the message failed).</param>
/// <param name="Timestamp">The message timestamp Kafka stored (CreateTime, or LogAppendTime when the topic says so).</param>
/// <param name="Status">Whether Kafka has the message.</param>
/// <param name="EventId">The <see cref="SamsaHeaders.EventId"/> the message carries.</param>
public readonly record struct PublishResult(
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset Timestamp,
    PublishStatus Status,
    Guid EventId);

/// <summary>
/// Called once for each fire-and-forget publish (<see cref="IEventPublisher.Publish{TEvent}"/>) when Kafka has answered,
/// on a thread-pool thread (never on librdkafka's or Confluent's poll thread) that runs a burst of completions one after
/// another, so keep it short and never block in it. Pass what the callback needs in <paramref name="state"/> rather than
/// capturing it, so that no closure is allocated per message.
/// </summary>
/// <param name="result">Where the event landed; when <paramref name="error"/> is set, only the topic and event id are meaningful.</param>
/// <param name="error">The failure, or null when the event was delivered.</param>
/// <param name="state">The state given to <see cref="IEventPublisher.Publish{TEvent}"/>.</param>
public delegate void PublishCompletion(PublishResult result, PublishException? error, object? state);

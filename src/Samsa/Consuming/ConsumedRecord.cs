using System.Text;
using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>One record of a batch (<see cref="IEventBatchHandler{TEvent}"/>): its event, key, headers and position.</summary>
/// <typeparam name="TEvent">The event type.</typeparam>
public sealed class ConsumedRecord<TEvent>
{
    private readonly ConsumeResult<byte[]?, byte[]?> _record;
    private string? _key;

    internal ConsumedRecord(ConsumeResult<byte[]?, byte[]?> record, TEvent @event, int index, int attempt, int retryLevel)
    {
        _record = record;
        Event = @event;
        Index = index;
        Attempt = attempt;
        RetryLevel = retryLevel;
    }

    /// <summary>The deserialized value.</summary>
    public TEvent Event { get; }

    /// <summary>The topic the record was read from.</summary>
    public string Topic => _record.Topic;

    /// <summary>The partition the record was read from (the same for every record of a batch).</summary>
    public int Partition => _record.Partition.Value;

    /// <summary>The record's offset.</summary>
    public long Offset => _record.Offset.Value;

    /// <summary>The record's timestamp.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(_record.Message.Timestamp.UnixTimestampMs);

    /// <summary>The key as sent, or null.</summary>
    public byte[]? RawKey => _record.Message.Key;

    /// <summary>The key as UTF-8 text, or null when there is none.</summary>
    public string? Key => _key ??= RawKey is null ? null : Encoding.UTF8.GetString(RawKey);

    /// <summary>The value as sent (before deserialization).</summary>
    public byte[]? RawValue => _record.Message.Value;

    /// <summary>The record's headers.</summary>
    public Headers Headers => _record.Message.Headers ??= [];

    /// <summary>Which handler call this is for the record, from 1 (a batch of one retried in place or from a retry topic counts on).</summary>
    public int Attempt { get; }

    /// <summary>0 for a record from the source topic, n for one from its n-th retry topic.</summary>
    public int RetryLevel { get; }

    /// <summary>The record's position in its batch.</summary>
    internal int Index { get; }
}

using System.Buffers;
using System.Text;
using Confluent.Kafka;

namespace Samsa.Publishing;

/// <summary>
/// Per-thread scratch objects of the publish path, reused for every message the thread publishes: the serialization
/// buffer, the Confluent <see cref="Message{TKey, TValue}"/>, the header lists and the header values of fixed length.
/// </summary>
/// <remarks>
/// Reuse is safe because Confluent.Kafka copies key, value and headers into librdkafka (<c>RD_KAFKA_MSG_F_COPY</c>)
/// before <c>Produce</c> returns and keeps no reference to the message afterwards (delivery reports are built from
/// librdkafka's copy). The publisher fills these only after the serializer has run, so a serializer that publishes
/// does not see them change under it.
/// </remarks>
internal sealed class PublishBuffers
{
    /// <summary>Length of a GUID in its <c>D</c> form.</summary>
    public const int EventIdLength = 36;

    /// <summary>Length of a UTC time in the round-trip (<c>O</c>) form: <c>2026-08-21T10:15:30.1234567Z</c>.</summary>
    public const int TimestampLength = 28;

    private const int MaxRetainedPayloadCapacity = 1024 * 1024;

    [ThreadStatic]
    private static PublishBuffers? t_current;

    private readonly Headers?[] _headerLists = new Headers?[4];

    private PublishBuffers()
    {
    }

    public static PublishBuffers Current => t_current ??= new PublishBuffers();

    public ArrayBufferWriter<byte> Payload { get; private set; } = new(4096);

    public Message<byte[]?, byte[]> Message { get; } = new();

    public ReusableHeader EventId { get; } = new(SamsaHeaders.EventId, new byte[EventIdLength]);

    public ReusableHeader EventType { get; } = new(SamsaHeaders.EventType, []);

    public ReusableHeader CorrelationId { get; } = new(SamsaHeaders.CorrelationId, []);

    public ReusableHeader Timestamp { get; } = new(SamsaHeaders.Timestamp, new byte[TimestampLength]);

    public ReusableHeader ContentType { get; } = new(SamsaHeaders.ContentType, []);

    /// <summary>The reusable list of the standard headers, with or without the event type and the correlation id.</summary>
    public Headers StandardHeaders(bool withEventType, bool withCorrelationId)
    {
        var index = (withEventType ? 1 : 0) | (withCorrelationId ? 2 : 0);
        return _headerLists[index] ??= Build(withEventType, withCorrelationId);
    }

    /// <summary>A new list of the standard headers, for a publish that adds its own.</summary>
    public Headers NewHeaders(bool withEventType, bool withCorrelationId) => Build(withEventType, withCorrelationId);

    /// <summary>Empties the payload buffer, dropping it when one large event made it grow past 1 MiB.</summary>
    public ArrayBufferWriter<byte> ResetPayload()
    {
        if (Payload.Capacity > MaxRetainedPayloadCapacity)
        {
            Payload = new ArrayBufferWriter<byte>(4096);
        }
        else
        {
            Payload.ResetWrittenCount();
        }

        return Payload;
    }

    /// <summary>UTF-8 of raw publishes' content types.</summary>
    public Utf8Cache ContentTypes { get; } = new();

    /// <summary>UTF-8 of raw publishes' event types.</summary>
    public Utf8Cache EventTypes { get; } = new();

    private Headers Build(bool withEventType, bool withCorrelationId)
    {
        var headers = new Headers { EventId };
        if (withEventType)
        {
            headers.Add(EventType);
        }

        headers.Add(Timestamp);
        headers.Add(ContentType);
        if (withCorrelationId)
        {
            headers.Add(CorrelationId);
        }

        return headers;
    }
}

/// <summary>A header whose value is swapped per message; see <see cref="PublishBuffers"/> for why that is safe.</summary>
internal sealed class ReusableHeader(string key, byte[] value) : IHeader
{
    public string Key { get; } = key;

    public byte[] Value { get; set; } = value;

    public byte[] GetValueBytes() => Value;
}

/// <summary>UTF-8 of a string, reused while the same string instance comes again (a constant content type or event type).</summary>
internal sealed class Utf8Cache
{
    private string? _text;
    private byte[]? _bytes;

    public byte[] Get(string text)
    {
        if (ReferenceEquals(text, _text) && _bytes is not null)
        {
            return _bytes;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        _text = text;
        _bytes = bytes;
        return bytes;
    }
}

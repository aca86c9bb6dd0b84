using System.Buffers;

namespace Samsa.Publishing;

/// <summary>
/// Turns an event into the message value. The publisher hands in a pooled buffer, so a serializer that writes
/// straight into <c>destination</c> costs no allocation beyond the final message copy Confluent.Kafka needs.
/// </summary>
/// <remarks>Implementations must be thread-safe: one instance serves every publishing thread.</remarks>
public interface IEventSerializer
{
    /// <summary>The <see cref="SamsaHeaders.ContentType"/> header of every message this serializer writes.</summary>
    string ContentType { get; }

    /// <summary>Writes <paramref name="event"/> into <paramref name="destination"/>.</summary>
    void Serialize<TEvent>(TEvent @event, IBufferWriter<byte> destination);
}

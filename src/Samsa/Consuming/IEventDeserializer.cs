namespace Samsa.Consuming;

/// <summary>
/// Turns a record's value into the handler's event. A value that cannot be deserialized makes the record poison: it
/// goes straight to the dead-letter topic.
/// </summary>
/// <remarks>Implementations must be thread-safe: one instance serves every partition.</remarks>
public interface IEventDeserializer
{
    /// <summary>Deserializes <paramref name="value"/> (null for a tombstone) into <typeparamref name="TEvent"/>.</summary>
    /// <exception cref="Exception">Any exception marks the record as poison.</exception>
    TEvent Deserialize<TEvent>(byte[]? value, ConsumeContext context);
}

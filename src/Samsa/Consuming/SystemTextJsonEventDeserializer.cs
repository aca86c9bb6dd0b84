using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Samsa.Consuming;

/// <summary>
/// The default deserializer: System.Text.Json with <see cref="JsonSerializerDefaults.Web"/> unless given options or a
/// source-generated context. A <c>byte[]</c> event gets the value as it is, without a copy. A null value (tombstone) or
/// JSON <c>null</c> for a non-nullable event is an error.
/// </summary>
public sealed class SystemTextJsonEventDeserializer : IEventDeserializer
{
    /// <summary>Deserializes with <see cref="JsonSerializerDefaults.Web"/> (camelCase names, case-insensitive).</summary>
    public SystemTextJsonEventDeserializer()
        : this(new JsonSerializerOptions(JsonSerializerDefaults.Web))
    {
    }

    /// <summary>Deserializes with <paramref name="options"/> (made read-only on first use).</summary>
    public SystemTextJsonEventDeserializer(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsReadOnly && options.TypeInfoResolver is null)
        {
            options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        }

        options.MakeReadOnly();
        Options = options;
    }

    /// <summary>Deserializes with the metadata of a source-generated <paramref name="context"/>.</summary>
    public SystemTextJsonEventDeserializer(JsonSerializerContext context)
        : this(context?.Options ?? throw new ArgumentNullException(nameof(context)))
    {
    }

    /// <summary>The serializer options (read-only).</summary>
    public JsonSerializerOptions Options { get; }

    /// <inheritdoc />
    public TEvent Deserialize<TEvent>(byte[]? value, ConsumeContext context)
    {
        if (typeof(TEvent) == typeof(byte[]))
        {
            return (TEvent)(object)(value ?? throw new JsonException("The record has no value (a tombstone)."));
        }

        if (value is null || value.Length == 0)
        {
            throw new JsonException("The record has no value (a tombstone or an empty payload).");
        }

        var typeInfo = (JsonTypeInfo<TEvent>)Options.GetTypeInfo(typeof(TEvent));
        var result = JsonSerializer.Deserialize(value, typeInfo);
        return result is null && default(TEvent) is null && !AllowsNull<TEvent>()
            ? throw new JsonException($"The record's value is JSON null, which is not a {typeof(TEvent).Name}.")
            : result!;
    }

    private static bool AllowsNull<TEvent>() => Nullable.GetUnderlyingType(typeof(TEvent)) is not null;
}

using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Samsa.Publishing;

/// <summary>
/// The default serializer: System.Text.Json with a <see cref="Utf8JsonWriter"/> per thread, reused for every message.
/// Give it <see cref="JsonSerializerOptions"/> (reflection or a resolver chain) or a source-generated
/// <see cref="JsonSerializerContext"/>; with a context, an event type the context does not know fails the publish.
/// </summary>
public sealed class SystemTextJsonEventSerializer : IEventSerializer
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static SystemTextJsonEventSerializer? t_writerOwner;

    private readonly JsonWriterOptions _writerOptions;

    /// <summary>Serializes with <see cref="JsonSerializerDefaults.Web"/> (camelCase names, case-insensitive reading).</summary>
    public SystemTextJsonEventSerializer()
        : this(new JsonSerializerOptions(JsonSerializerDefaults.Web))
    {
    }

    /// <summary>Serializes with <paramref name="options"/> (made read-only on first use, as System.Text.Json does).</summary>
    public SystemTextJsonEventSerializer(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        if (!options.IsReadOnly && options.TypeInfoResolver is null)
        {
            // Plain options: reflection-based metadata, as JsonSerializer.Serialize would use.
            options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        }

        options.MakeReadOnly();
        _writerOptions = new JsonWriterOptions
        {
            Encoder = options.Encoder,
            Indented = options.WriteIndented,
            MaxDepth = options.MaxDepth,
            SkipValidation = true,
        };
    }

    /// <summary>Serializes with the metadata of a source-generated <paramref name="context"/> (trimming- and AOT-safe).</summary>
    public SystemTextJsonEventSerializer(JsonSerializerContext context)
        : this(context?.Options ?? throw new ArgumentNullException(nameof(context)))
    {
    }

    /// <summary>The serializer options (read-only).</summary>
    public JsonSerializerOptions Options { get; }

    /// <inheritdoc />
    public string ContentType => PublisherDefaults.JsonContentType;

    /// <inheritdoc />
    public void Serialize<TEvent>(TEvent @event, IBufferWriter<byte> destination)
    {
        var writer = RentWriter(destination);
        JsonSerializer.Serialize(writer, @event, TypeInfo<TEvent>());
        writer.Flush();
    }

    private JsonTypeInfo<TEvent> TypeInfo<TEvent>()
    {
        var cache = TypeInfoCache<TEvent>.Last;
        if (cache is not null && ReferenceEquals(cache.Owner, this))
        {
            return cache.Info;
        }

        var info = (JsonTypeInfo<TEvent>)Options.GetTypeInfo(typeof(TEvent));
        TypeInfoCache<TEvent>.Last = new TypeInfoCache<TEvent>(this, info);
        return info;
    }

    private Utf8JsonWriter RentWriter(IBufferWriter<byte> destination)
    {
        var writer = t_writer;
        if (writer is null || !ReferenceEquals(t_writerOwner, this))
        {
            writer = new Utf8JsonWriter(destination, _writerOptions);
            t_writer = writer;
            t_writerOwner = this;
            return writer;
        }

        writer.Reset(destination);
        return writer;
    }

    /// <summary>The last serializer's metadata for <typeparamref name="TEvent"/>: one reference check instead of a dictionary lookup.</summary>
    private sealed class TypeInfoCache<TEvent>(SystemTextJsonEventSerializer owner, JsonTypeInfo<TEvent> info)
    {
        public static TypeInfoCache<TEvent>? Last;

        public SystemTextJsonEventSerializer Owner { get; } = owner;

        public JsonTypeInfo<TEvent> Info { get; } = info;
    }
}

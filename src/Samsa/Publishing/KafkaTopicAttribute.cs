namespace Samsa.Publishing;

/// <summary>Names the topic an event type is published to when <see cref="PublishOptions.Topic"/> is not given.</summary>
/// <example><code>[KafkaTopic("orders")] public sealed record OrderPlaced(string OrderId, decimal Total);</code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class KafkaTopicAttribute : Attribute
{
    /// <summary>Publishes the event type to <paramref name="name"/>.</summary>
    public KafkaTopicAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The topic name.</summary>
    public string Name { get; }

    /// <summary>The <see cref="SamsaHeaders.EventType"/> value; the type's full name when null.</summary>
    public string? EventType { get; set; }
}

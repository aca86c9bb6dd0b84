namespace Samsa.Configuration;

/// <summary>Admin client settings (<c>Kafka:Admin</c>).</summary>
public sealed class KafkaAdminOptions
{
    /// <summary>Raw librdkafka properties for the admin client only; they override <see cref="KafkaOptions.Properties"/>.</summary>
    public IDictionary<string, string> Properties { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

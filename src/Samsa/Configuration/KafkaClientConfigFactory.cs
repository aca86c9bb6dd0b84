using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>
/// Builds Confluent.Kafka client configurations from <see cref="KafkaOptions"/>.
/// </summary>
/// <remarks>
/// Per property, the first of these wins: a typed setting (<c>Kafka:Producer:BatchSize</c>,
/// <c>KAFKA_PRODUCER_BATCH_SIZE</c>, or code), a raw property of the client's own map
/// (<c>Kafka:Producer:Properties</c>), a raw property of the shared map (<c>Kafka:Properties</c>), the
/// profile default (<see cref="KafkaDefaults"/>), librdkafka's default. Aliases count as the same property
/// (<c>delivery.timeout.ms</c> and <c>message.timeout.ms</c>), so only one spelling reaches librdkafka.
/// Typed values are written through Confluent's typed properties, so the config reads back as typed values
/// (<c>config.SecurityProtocol == SecurityProtocol.SaslSsl</c>). Validate the options first
/// (<see cref="KafkaOptionsValidator"/>); this method does not check anything.
/// </remarks>
internal static class KafkaClientConfigFactory
{
    /// <summary>The producer configuration.</summary>
    public static ProducerConfig CreateProducerConfig(KafkaOptions options) =>
        Build(options, KafkaClientKinds.Producer, properties => new ProducerConfig(properties));

    /// <summary>The consumer configuration.</summary>
    public static ConsumerConfig CreateConsumerConfig(KafkaOptions options) =>
        Build(options, KafkaClientKinds.Consumer, properties => new ConsumerConfig(properties));

    /// <summary>The admin client configuration.</summary>
    public static AdminClientConfig CreateAdminClientConfig(KafkaOptions options) =>
        Build(options, KafkaClientKinds.Admin, properties => new AdminClientConfig(properties));

    private static T Build<T>(KafkaOptions options, KafkaClientKinds kind, Func<IDictionary<string, string>, T> create)
        where T : ClientConfig
    {
        var settings = KafkaSettingCatalog.For(kind).ToList();
        var typedNames = settings
            .Where(setting => setting.Get(options) is not null)
            .SelectMany(setting => setting.EquivalentNames)
            .ToHashSet(StringComparer.Ordinal);

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in KafkaValueResolver.RawProperties(options, kind))
        {
            if (typedNames.Contains(raw.Name))
            {
                continue;
            }

            // The client map overrides the shared map, whichever alias either of them used.
            var owner = KafkaSettingCatalog.ByLibrdkafkaName(raw.Name);
            foreach (var alias in owner?.EquivalentNames ?? [])
            {
                properties.Remove(alias);
            }

            properties[raw.Name] = raw.Value;
        }

        var config = create(properties);
        foreach (var setting in settings)
        {
            var resolved = KafkaValueResolver.Resolve(options, setting, kind);
            if (resolved.Value is not null && resolved.Source is KafkaValueSource.Explicit or KafkaValueSource.ProfileDefault)
            {
                setting.Apply?.Invoke(config, resolved.Value);
            }
        }

        return config;
    }
}

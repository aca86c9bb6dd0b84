namespace Samsa.Broker.Cluster;

/// <summary>
/// The broker configs that AlterConfigs and IncrementalAlterConfigs may change at run time, per
/// broker or cluster-wide, as Kafka's DynamicBrokerConfig allows them: the broker synonyms of topic
/// configs (log.retention.ms, message.max.bytes, log.cleanup.policy …; not the deprecated
/// log.message.format.version), the log cleaner's settings and the thread pools. Topic-config
/// synonyms set cluster-wide change the default of every topic that does not override them; the
/// others are validated, stored and described, but Samsa.Broker has no cleaner threads or thread
/// pools for them to resize (see Handlers/UNSUPPORTED.md).
/// </summary>
internal static class DynamicBrokerConfigDefinitions
{
    private static readonly TopicConfigDefinition[] Others =
    [
        new("log.cleaner.threads", null, ConfigType.Int, "1", Min: 0, Applied: false),
        new("log.cleaner.dedupe.buffer.size", null, ConfigType.Long, "134217728", Applied: false),
        new("log.cleaner.dedupe.buffer.load.factor", null, ConfigType.Double, "0.9", Applied: false),
        new("log.cleaner.io.buffer.size", null, ConfigType.Int, "524288", Min: 0, Applied: false),
        new("log.cleaner.io.max.bytes.per.second", null, ConfigType.Double, "1.7976931348623157E308", Applied: false),
        new("log.cleaner.backoff.ms", null, ConfigType.Long, "15000", Min: 0, Applied: false),
        new("num.io.threads", null, ConfigType.Int, "8", Min: 1, Applied: false),
        new("num.network.threads", null, ConfigType.Int, "3", Min: 1, Applied: false),
        new("num.replica.fetchers", null, ConfigType.Int, "1", Applied: false),
        new("num.recovery.threads.per.data.dir", null, ConfigType.Int, "2", Min: 1, Applied: false),
        new("background.threads", null, ConfigType.Int, "10", Min: 1, Applied: false),
        new("max.connections", null, ConfigType.Int, "2147483647", Min: 0, Applied: false),
    ];

    /// <summary>Every dynamic config, by its broker name; a topic-config synonym keeps its topic definition (type, limits, default).</summary>
    public static IReadOnlyDictionary<string, TopicConfigDefinition> ByName { get; } = BuildByName();

    public static bool TryGet(string name, out TopicConfigDefinition definition) => ByName.TryGetValue(name, out definition!);

    /// <summary>Whether <paramref name="definition"/>, found by broker name, is the synonym of a topic config.</summary>
    public static bool IsTopicSynonym(TopicConfigDefinition definition) => definition.BrokerSynonym is not null;

    private static Dictionary<string, TopicConfigDefinition> BuildByName()
    {
        var byName = new Dictionary<string, TopicConfigDefinition>(StringComparer.Ordinal);
        foreach (var definition in TopicConfigDefinitions.All)
        {
            if (definition.BrokerSynonym is { } synonym && definition.Name != TopicConfigDefinitions.MessageFormatVersion)
            {
                byName[synonym] = definition;
            }
        }

        foreach (var definition in Others)
        {
            byName[definition.Name] = definition;
        }

        return byName;
    }
}

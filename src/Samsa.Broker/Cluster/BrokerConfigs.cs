using System.Globalization;

namespace Samsa.Broker.Cluster;

/// <summary>
/// The broker-level configs DescribeConfigs reports for a node: the settings that shape its
/// behaviour (from <see cref="BrokerOptions"/>, static) and Kafka's dynamic broker configs (the
/// broker defaults of every topic config, the cleaner and thread pools), each resolved as Kafka
/// does: the broker's own dynamic value, then the cluster-wide dynamic default, then the static
/// setting, then Kafka's default.
/// </summary>
internal static class BrokerConfigs
{
    /// <summary>One described config: value, source, type, whether it may be altered, and the values it overrides, highest precedence first.</summary>
    internal sealed record Entry(string Name, string Value, ConfigSource Source, ConfigType Type, bool ReadOnly, IReadOnlyList<(string Value, ConfigSource Source)> Synonyms);

    /// <summary>Every config of broker <paramref name="nodeId"/>; with null, only the cluster-wide dynamic defaults (as Kafka describes the resource "").</summary>
    public static IEnumerable<Entry> Describe(ClusterState cluster, int? nodeId)
    {
        if (nodeId is not { } id)
        {
            foreach (var (name, value) in cluster.DynamicBrokerConfigs(null).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                DynamicBrokerConfigDefinitions.TryGet(name, out var definition);
                yield return new Entry(name, value, ConfigSource.DynamicDefaultBrokerConfig, definition.Type, false, [(value, ConfigSource.DynamicDefaultBrokerConfig)]);
            }

            yield break;
        }

        var options = cluster.Options;
        yield return Static("broker.id", id.ToString(CultureInfo.InvariantCulture), ConfigType.Int);
        yield return Static("node.id", id.ToString(CultureInfo.InvariantCulture), ConfigType.Int);
        yield return Static("auto.create.topics.enable", options.AutoCreateTopics ? "true" : "false", ConfigType.Boolean);
        yield return Static("num.partitions", options.DefaultPartitions.ToString(CultureInfo.InvariantCulture), ConfigType.Int);
        yield return Static("default.replication.factor", options.DefaultReplicationFactor.ToString(CultureInfo.InvariantCulture), ConfigType.Short);
        yield return Static("socket.request.max.bytes", options.MaxRequestSize.ToString(CultureInfo.InvariantCulture), ConfigType.Int);
        yield return Static("connections.max.idle.ms", ((long)options.IdleConnectionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), ConfigType.Long);
        yield return Static("offsets.topic.num.partitions", options.OffsetsTopicPartitions.ToString(CultureInfo.InvariantCulture), ConfigType.Int);
        yield return Static("offsets.topic.replication.factor", options.OffsetsTopicReplicationFactor.ToString(CultureInfo.InvariantCulture), ConfigType.Short);
        yield return Static("transaction.state.log.num.partitions", options.TransactionStateTopicPartitions.ToString(CultureInfo.InvariantCulture), ConfigType.Int);
        yield return Static("transaction.state.log.replication.factor", options.TransactionStateTopicReplicationFactor.ToString(CultureInfo.InvariantCulture), ConfigType.Short);
        yield return Static("log.dirs", options.DataDirectory ?? string.Empty, ConfigType.String);

        // The deprecated format version is a topic-config synonym but not dynamic.
        if (TopicConfigDefinitions.TryGet(TopicConfigDefinitions.MessageFormatVersion, out var format))
        {
            var (value, source) = cluster.BrokerDefaults.Static.TryGetValue(format.BrokerSynonym!, out var set) ? (set, ConfigSource.StaticBrokerConfig) : (format.Default, ConfigSource.DefaultConfig);
            yield return new Entry(format.BrokerSynonym!, value, source, format.Type, true, [(value, source)]);
        }

        foreach (var (name, definition) in DynamicBrokerConfigDefinitions.ByName.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var synonyms = Synonyms(cluster, id, name, definition);
            yield return new Entry(name, synonyms[0].Value, synonyms[0].Source, definition.Type, false, synonyms);
        }
    }

    /// <summary>The effective value of dynamic config <paramref name="name"/> for broker <paramref name="nodeId"/> (cluster-wide when null).</summary>
    public static (string Value, ConfigSource Source) Resolve(ClusterState cluster, int? nodeId, string name)
    {
        DynamicBrokerConfigDefinitions.TryGet(name, out var definition);
        return Synonyms(cluster, nodeId, name, definition)[0];
    }

    private static List<(string Value, ConfigSource Source)> Synonyms(ClusterState cluster, int? nodeId, string name, TopicConfigDefinition definition)
    {
        var found = new List<(string, ConfigSource)>();
        if (nodeId is { } id && cluster.DynamicBrokerConfigs(id).TryGetValue(name, out var own))
        {
            found.Add((own, ConfigSource.DynamicBrokerConfig));
        }

        if (cluster.BrokerDefaults.DynamicDefaults.TryGetValue(name, out var clusterWide))
        {
            found.Add((clusterWide, ConfigSource.DynamicDefaultBrokerConfig));
        }

        // Topic configs given as broker defaults at start may use either name.
        if (cluster.BrokerDefaults.Static.TryGetValue(name, out var given)
            || (DynamicBrokerConfigDefinitions.IsTopicSynonym(definition) && cluster.BrokerDefaults.Static.TryGetValue(definition.Name, out given)))
        {
            found.Add((given, ConfigSource.StaticBrokerConfig));
        }

        found.Add((definition.Default, ConfigSource.DefaultConfig));
        return found;
    }

    private static Entry Static(string name, string value, ConfigType type) =>
        new(name, value, ConfigSource.StaticBrokerConfig, type, true, [(value, ConfigSource.StaticBrokerConfig)]);
}

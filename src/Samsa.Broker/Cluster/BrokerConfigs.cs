using System.Globalization;

namespace Samsa.Broker.Cluster;

/// <summary>
/// The broker-level configs DescribeConfigs reports for a node: the settings that shape its
/// behaviour (from <see cref="BrokerOptions"/>) and the broker defaults of every topic config. They
/// are static: altering them is refused.
/// </summary>
internal static class BrokerConfigs
{
    public static IEnumerable<(string Name, string Value, ConfigSource Source, ConfigType Type)> Describe(ClusterState cluster, int nodeId)
    {
        var options = cluster.Options;
        yield return ("broker.id", nodeId.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Int);
        yield return ("node.id", nodeId.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Int);
        yield return ("auto.create.topics.enable", options.AutoCreateTopics ? "true" : "false", ConfigSource.StaticBrokerConfig, ConfigType.Boolean);
        yield return ("num.partitions", options.DefaultPartitions.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Int);
        yield return ("default.replication.factor", options.DefaultReplicationFactor.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Short);
        yield return ("socket.request.max.bytes", options.MaxRequestSize.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Int);
        yield return ("connections.max.idle.ms", ((long)options.IdleConnectionTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Long);
        yield return ("offsets.topic.num.partitions", options.OffsetsTopicPartitions.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Int);
        yield return ("offsets.topic.replication.factor", options.OffsetsTopicReplicationFactor.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Short);
        yield return ("transaction.state.log.num.partitions", options.TransactionStateTopicPartitions.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Int);
        yield return ("transaction.state.log.replication.factor", options.TransactionStateTopicReplicationFactor.ToString(CultureInfo.InvariantCulture), ConfigSource.StaticBrokerConfig, ConfigType.Short);
        yield return ("log.dirs", options.DataDirectory ?? string.Empty, ConfigSource.StaticBrokerConfig, ConfigType.String);
        foreach (var definition in TopicConfigDefinitions.All)
        {
            if (definition.BrokerSynonym is null)
            {
                continue;
            }

            var fromOptions = cluster.BrokerConfig.TryGetValue(definition.BrokerSynonym, out var value)
                || cluster.BrokerConfig.TryGetValue(definition.Name, out value);
            yield return (definition.BrokerSynonym, fromOptions ? value! : definition.Default, fromOptions ? ConfigSource.StaticBrokerConfig : ConfigSource.DefaultConfig, definition.Type);
        }
    }
}

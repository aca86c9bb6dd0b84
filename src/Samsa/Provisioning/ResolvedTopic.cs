using System.Globalization;
using Samsa.Configuration;

namespace Samsa.Provisioning;

/// <summary>
/// A declaration with its profile defaults filled in: what the topic must look like. Typed properties win over
/// the same names among <see cref="TopicDeclaration.Configs"/> (the validator reports a conflict).
/// </summary>
internal sealed record ResolvedTopic(
    string Name,
    int Partitions,
    short ReplicationFactor,
    int MinInsyncReplicas,
    long? RetentionMs,
    TopicCleanupPolicy? CleanupPolicy,
    IReadOnlyDictionary<string, string> OtherConfigs,
    string? SourceTopic = null,
    bool PartitionsDeclared = true)
{
    /// <summary>Every declared topic of <paramref name="options"/>, in declaration order.</summary>
    public static IReadOnlyList<ResolvedTopic> All(KafkaOptions options)
    {
        var profile = KafkaValueResolver.ProfileOf(options);
        return options.Topics.Select(pair => Resolve(pair.Key, pair.Value, profile)).ToList();
    }

    /// <summary>Fills in the profile's defaults.</summary>
    public static ResolvedTopic Resolve(string name, TopicDeclaration declaration, KafkaProfile profile)
    {
        var defaults = TopicDefaults.For(profile);
        var configs = declaration.Configs;
        var minInsync = declaration.MinInsyncReplicas
            ?? ParseInt(configs, TopicConfigNames.MinInsyncReplicas)
            ?? defaults.MinInsyncReplicas;
        var retention = declaration.RetentionMs ?? ParseLong(configs, TopicConfigNames.RetentionMs);
        var cleanup = declaration.CleanupPolicy
            ?? (configs.TryGetValue(TopicConfigNames.CleanupPolicy, out var text) && TopicCleanupPolicies.TryParse(text, out var parsed) ? parsed : null);
        var others = configs
            .Where(pair => !TopicConfigNames.Typed.ContainsKey(pair.Key))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        return new ResolvedTopic(
            name,
            declaration.Partitions ?? defaults.Partitions,
            declaration.ReplicationFactor ?? defaults.ReplicationFactor,
            minInsync,
            retention,
            cleanup,
            others,
            declaration.SourceTopic,
            declaration.Partitions is not null);
    }

    /// <summary>The configuration key of one of its settings: <c>Kafka:Topics:orders:Partitions</c>.</summary>
    public string Key(string property) => $"{KafkaDefaults.SectionName}:Topics:{Name}:{property}";

    /// <summary>The topic configs it is created with.</summary>
    public Dictionary<string, string> CreationConfigs()
    {
        var configs = new Dictionary<string, string>(OtherConfigs, StringComparer.Ordinal)
        {
            [TopicConfigNames.MinInsyncReplicas] = MinInsyncReplicas.ToString(CultureInfo.InvariantCulture),
        };
        if (RetentionMs is { } retention)
        {
            configs[TopicConfigNames.RetentionMs] = retention.ToString(CultureInfo.InvariantCulture);
        }

        if (CleanupPolicy is { } cleanup)
        {
            configs[TopicConfigNames.CleanupPolicy] = TopicCleanupPolicies.Spell(cleanup);
        }

        return configs;
    }

    /// <summary>"6 partitions, replication factor 3, min.insync.replicas 2".</summary>
    public string Describe() =>
        $"{Partitions} partition(s), replication factor {ReplicationFactor}, min.insync.replicas {MinInsyncReplicas}"
        + (CleanupPolicy is { } cleanup ? $", cleanup.policy {TopicCleanupPolicies.Spell(cleanup)}" : string.Empty)
        + (RetentionMs is { } retention ? $", retention.ms {retention.ToString(CultureInfo.InvariantCulture)}" : string.Empty);

    private static int? ParseInt(IDictionary<string, string> configs, string name) =>
        configs.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static long? ParseLong(IDictionary<string, string> configs, string name) =>
        configs.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}

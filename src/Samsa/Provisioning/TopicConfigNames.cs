namespace Samsa.Provisioning;

/// <summary>Kafka's names of the topic configs a <see cref="TopicDeclaration"/> has typed properties for.</summary>
internal static class TopicConfigNames
{
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string RetentionMs = "retention.ms";
    public const string CleanupPolicy = "cleanup.policy";

    /// <summary>Names that belong to a typed property, with that property's name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Typed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [MinInsyncReplicas] = nameof(TopicDeclaration.MinInsyncReplicas),
        [RetentionMs] = nameof(TopicDeclaration.RetentionMs),
        [CleanupPolicy] = nameof(TopicDeclaration.CleanupPolicy),
    };

    /// <summary>Settings people put among the configs that are not topic configs, with the property that holds them.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotConfigs = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["num.partitions"] = nameof(TopicDeclaration.Partitions),
        ["partitions"] = nameof(TopicDeclaration.Partitions),
        ["replication.factor"] = nameof(TopicDeclaration.ReplicationFactor),
        ["default.replication.factor"] = nameof(TopicDeclaration.ReplicationFactor),
    };
}

namespace Samsa.Provisioning;

/// <summary>
/// How declared topics are provisioned at start-up (<c>Kafka:Provisioning</c>): whether missing topics are
/// created, whether partitions may be added, and whether drift stops the service.
/// </summary>
public sealed class ProvisioningOptions
{
    /// <summary>Create declared topics that do not exist. When false, a missing topic is an error.</summary>
    public bool CreateMissingTopics { get; set; } = true;

    /// <summary>
    /// Add partitions to an existing topic that has fewer than declared. Off by default: new partitions move keys
    /// to other partitions, which breaks per-key ordering across the change. Partitions are never removed.
    /// </summary>
    public bool AllowAddPartitions { get; set; }

    /// <summary>Whether an existing topic that differs from its declaration stops start-up (the default) or is logged.</summary>
    public TopicDriftPolicy DriftPolicy { get; set; } = TopicDriftPolicy.Error;
}

namespace Samsa.Provisioning;

/// <summary>What provisioning did with one topic.</summary>
public enum TopicProvisioningOutcome
{
    /// <summary>It was missing and was created.</summary>
    Created,

    /// <summary>It existed and was checked; nothing was changed.</summary>
    Verified,

    /// <summary>It existed with fewer partitions than declared, and partitions were added.</summary>
    PartitionsAdded,

    /// <summary>It is missing and was not created (creation failed, or creating is off).</summary>
    Missing,

    /// <summary>It could not be described.</summary>
    Failed,
}

/// <summary>The outcome for one declared topic, with what was found on the way.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="Partitions">Partitions after provisioning, or 0 when unknown.</param>
/// <param name="ReplicationFactor">The smallest replica count over its partitions after provisioning, or 0 when unknown.</param>
/// <param name="Findings">Drift, failures and warnings about this topic.</param>
public sealed record TopicProvisioningResult(
    string Topic,
    TopicProvisioningOutcome Outcome,
    int Partitions,
    int ReplicationFactor,
    IReadOnlyList<ProvisioningFinding> Findings);

namespace Samsa.Provisioning;

/// <summary>How bad a provisioning finding is.</summary>
public enum ProvisioningSeverity
{
    /// <summary>Logged; start-up goes on.</summary>
    Warning,

    /// <summary>Start-up fails.</summary>
    Error,
}

/// <summary>One thing provisioning found about a topic: drift, a failed creation, an unsafe combination.</summary>
/// <param name="Severity">Error (start-up fails) or warning (logged).</param>
/// <param name="Topic">The topic.</param>
/// <param name="Setting">What it is about: <c>partitions</c>, <c>replication.factor</c>, <c>min.insync.replicas</c>, a topic config name, or <c>topic</c>.</param>
/// <param name="Message">What is wrong and what to change.</param>
public sealed record ProvisioningFinding(ProvisioningSeverity Severity, string Topic, string Setting, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Severity}: {Message}";
}

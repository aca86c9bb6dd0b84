namespace Samsa.Provisioning;

/// <summary>What <see cref="TopicProvisioner"/> did with every declared topic, and what it found.</summary>
public sealed class ProvisioningReport
{
    /// <summary>Creates a report.</summary>
    public ProvisioningReport(IReadOnlyList<TopicProvisioningResult> topics)
    {
        Topics = topics;
    }

    /// <summary>One result per declared topic, in declaration order.</summary>
    public IReadOnlyList<TopicProvisioningResult> Topics { get; }

    /// <summary>Every finding of every topic.</summary>
    public IEnumerable<ProvisioningFinding> Findings => Topics.SelectMany(topic => topic.Findings);

    /// <summary>Findings that fail start-up.</summary>
    public IReadOnlyList<ProvisioningFinding> Errors => Findings.Where(f => f.Severity == ProvisioningSeverity.Error).ToList();

    /// <summary>Findings that are only logged.</summary>
    public IReadOnlyList<ProvisioningFinding> Warnings => Findings.Where(f => f.Severity == ProvisioningSeverity.Warning).ToList();

    /// <summary>True when start-up must fail.</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == ProvisioningSeverity.Error);

    /// <summary>The result of <paramref name="topic"/>.</summary>
    /// <exception cref="KeyNotFoundException">The topic was not declared.</exception>
    public TopicProvisioningResult this[string topic] =>
        Topics.FirstOrDefault(t => t.Topic == topic) ?? throw new KeyNotFoundException($"Topic `{topic}` is not in the report.");

    /// <inheritdoc />
    public override string ToString() =>
        string.Join("; ", Topics.Select(t => $"{t.Topic}: {t.Outcome}" + (t.Findings.Count == 0 ? string.Empty : $" ({string.Join(" ", t.Findings)})")));
}

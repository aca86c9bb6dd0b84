namespace Samsa.Monitoring;

/// <summary>
/// The consumer lag monitor, bound from <c>Kafka:Monitoring</c>: how often it reads the groups' committed offsets and
/// the partitions' ends from the brokers, which groups beyond the service's own, and the thresholds that turn each
/// consumer's health check Degraded or Unhealthy. A threshold left empty is not checked.
/// </summary>
public sealed class LagMonitorOptions
{
    /// <summary>The key of these settings below the <c>Kafka</c> section: <c>Kafka:Monitoring</c>.</summary>
    public const string SectionKey = "Monitoring";

    /// <summary>Leaves out the monitor (and its gauges and thresholds).</summary>
    public bool Disabled { get; set; }

    /// <summary>How often the lag is read. Default 30 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound of the requests of one reading. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Groups to watch besides the ones this service consumes with.</summary>
    public IList<string> Groups { get; set; } = [];

    /// <summary>Records behind, on any one partition, at which the consumer's health check is Degraded.</summary>
    public long? DegradedLag { get; set; }

    /// <summary>Records behind, on any one partition, at which the consumer's health check is Unhealthy.</summary>
    public long? UnhealthyLag { get; set; }

    /// <summary>Age of the oldest record not consumed, on any one partition, at which the consumer's health check is Degraded.</summary>
    public TimeSpan? DegradedTimeLag { get; set; }

    /// <summary>Age of the oldest record not consumed, on any one partition, at which the consumer's health check is Unhealthy.</summary>
    public TimeSpan? UnhealthyTimeLag { get; set; }

    /// <summary>
    /// Readings in a row with lag and an unmoved committed offset after which a partition counts as stuck (its consumer's
    /// health check is then Degraded). A group with lag and no members is stuck at once. Default 3.
    /// </summary>
    public int StuckIntervals { get; set; } = 3;
}

namespace Samsa.Cli.Readiness;

/// <summary>
/// The production setup Samsa is built for (SASL_SSL with SCRAM-SHA-512, acks=all with idempotence, compressed
/// 32 KiB batches, three replicas with two in sync, 6 to 12 partitions per topic), as numbers the checks compare with.
/// </summary>
internal static class ProductionRequirements
{
    public const int MinBrokers = 3;

    public const int MinReplicationFactor = 3;

    public const int MinInsyncReplicas = 2;

    public const int MinPartitions = 6;

    public const int MaxPartitions = 12;

    public const int MinBatchSizeBytes = 32 * 1024;

    /// <summary>Dead letters kept for less than this may be gone before anyone looks at them.</summary>
    public static readonly TimeSpan MinDeadLetterRetention = TimeSpan.FromDays(7);
}

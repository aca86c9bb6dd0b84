namespace Samsa.Consuming.DeadLetter;

/// <summary>What <see cref="DeadLetterReplayer.ReplayAsync"/> replays, and how.</summary>
public sealed class ReplayOptions
{
    /// <summary>The dead-letter topic to replay from (<c>orders.dlq</c>).</summary>
    public required string DeadLetterTopic { get; init; }

    /// <summary>Which records; empty takes all.</summary>
    public ReplayFilter Filter { get; init; } = new();

    /// <summary>Reports what would be replayed without writing anything.</summary>
    public bool DryRun { get; init; }

    /// <summary>At most this many records per second are written back. Null: as fast as Kafka takes them.</summary>
    public double? MaxRecordsPerSecond { get; init; }

    /// <summary>Stops after this many records were replayed (or, in a dry run, would be). Null: no limit.</summary>
    public int? MaxRecords { get; init; }

    /// <summary>
    /// The dead-letter topic and the replay ledger must be read to their ends within this time, or the replay fails
    /// before writing anything more. Default <see cref="DeadLetterDefaults.ScanTimeout"/>.
    /// </summary>
    public TimeSpan ScanTimeout { get; init; } = DeadLetterDefaults.ScanTimeout;
}

/// <summary>Defaults of replays.</summary>
public static class DeadLetterDefaults
{
    /// <summary>How long reading a dead-letter topic or a ledger may take: 60 s.</summary>
    public static readonly TimeSpan ScanTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How many records a <see cref="ReplayResult"/> lists (the counts are always complete): 1000.</summary>
    public const int MaxListedRecords = 1_000;
}

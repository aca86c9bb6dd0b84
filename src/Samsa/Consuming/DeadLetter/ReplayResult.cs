namespace Samsa.Consuming.DeadLetter;

/// <summary>What a replay did (or, in a dry run, would do).</summary>
public sealed record ReplayResult
{
    /// <summary>The dead-letter topic.</summary>
    public required string DeadLetterTopic { get; init; }

    /// <summary>True for a dry run: nothing was written.</summary>
    public required bool DryRun { get; init; }

    /// <summary>Dead letters read.</summary>
    public int Scanned { get; init; }

    /// <summary>Dead letters that met the filter.</summary>
    public int Matched { get; init; }

    /// <summary>Records written back to their original topic (in a dry run: that would be).</summary>
    public int Replayed { get; init; }

    /// <summary>Matching records skipped because an earlier replay already wrote them back (the ledger has them).</summary>
    public int AlreadyReplayed { get; init; }

    /// <summary>Matching records that cannot be replayed because their original topic header is missing.</summary>
    public int Unreplayable { get; init; }

    /// <summary>True when <see cref="ReplayOptions.MaxRecords"/> stopped the replay before the end.</summary>
    public bool Truncated { get; init; }

    /// <summary>The records replayed (or that would be), at most <see cref="DeadLetterDefaults.MaxListedRecords"/>.</summary>
    public IReadOnlyList<ReplayedRecord> Records { get; init; } = [];
}

/// <summary>One replayed dead letter.</summary>
/// <param name="DeadLetter">The dead letter.</param>
/// <param name="TargetTopic">The topic it was written back to.</param>
/// <param name="TargetPartition">Its partition there.</param>
/// <param name="TargetOffset">Its new offset there, or -1 in a dry run.</param>
public sealed record ReplayedRecord(DeadLetterRecord DeadLetter, string TargetTopic, int TargetPartition, long TargetOffset);

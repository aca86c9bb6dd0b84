namespace Samsa.Consuming.DeadLetter;

/// <summary>What <see cref="DeadLetterReplayer.ListAsync"/> found in a dead-letter topic.</summary>
public sealed record DeadLetterListing
{
    /// <summary>The dead-letter topic.</summary>
    public required string DeadLetterTopic { get; init; }

    /// <summary>Dead letters read.</summary>
    public int Scanned { get; init; }

    /// <summary>Dead letters that met the filter.</summary>
    public int Matched { get; init; }

    /// <summary>Of those, how many the ledger says were replayed.</summary>
    public int Replayed { get; init; }

    /// <summary>The matching dead letters, at most <see cref="DeadLetterDefaults.MaxListedRecords"/>.</summary>
    public IReadOnlyList<ListedDeadLetter> Records { get; init; } = [];
}

/// <summary>One dead letter of a listing.</summary>
/// <param name="DeadLetter">The dead letter.</param>
/// <param name="Replayed">True when the replay ledger says it was written back already.</param>
public sealed record ListedDeadLetter(DeadLetterRecord DeadLetter, bool Replayed);

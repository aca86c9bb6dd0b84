namespace Samsa.Consuming.ExactlyOnce;

/// <summary>What <see cref="TransactionalBatch.Commit"/> did.</summary>
internal enum TransactionOutcome
{
    /// <summary>No transaction was open: nothing was handled since the last commit.</summary>
    Nothing,

    /// <summary>The outputs and offsets are committed.</summary>
    Committed,

    /// <summary>The transaction was aborted; every processor is discarded and must be rewound to its last committed offset.</summary>
    Aborted,
}

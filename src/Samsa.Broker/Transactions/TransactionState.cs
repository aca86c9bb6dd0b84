namespace Samsa.Broker.Transactions;

/// <summary>
/// Where a transactional id's transaction stands. The numbers are the status bytes Kafka writes in
/// <c>__transaction_state</c> (TransactionLogValue.TransactionStatus), so the topic reads the same.
/// </summary>
/// <remarks>
/// Empty -> Ongoing (first AddPartitionsToTxn/AddOffsetsToTxn) -> PrepareCommit or PrepareAbort
/// (EndTxn, a timeout, or InitProducerId fencing an open transaction) -> CompleteCommit or
/// CompleteAbort once every partition has its marker -> Ongoing again with the next transaction.
/// PrepareEpochFence is the moment a timed-out transaction's epoch is bumped before its abort; it is
/// never written. Dead would be an expired transactional id (expiry is not implemented).
/// </remarks>
internal enum TransactionState : sbyte
{
    Empty = 0,
    Ongoing = 1,
    PrepareCommit = 2,
    PrepareAbort = 3,
    CompleteCommit = 4,
    CompleteAbort = 5,
    Dead = 6,
    PrepareEpochFence = 7,
}

internal static class TransactionStates
{
    /// <summary>The names DescribeTransactions and ListTransactions use (Kafka's own spelling).</summary>
    public static string Name(TransactionState state) => state switch
    {
        TransactionState.Empty => "Empty",
        TransactionState.Ongoing => "Ongoing",
        TransactionState.PrepareCommit => "PrepareCommit",
        TransactionState.PrepareAbort => "PrepareAbort",
        TransactionState.CompleteCommit => "CompleteCommit",
        TransactionState.CompleteAbort => "CompleteAbort",
        TransactionState.Dead => "Dead",
        TransactionState.PrepareEpochFence => "PrepareEpochFence",
        _ => state.ToString(),
    };

    public static bool TryParse(string name, out TransactionState state)
    {
        foreach (var candidate in Enum.GetValues<TransactionState>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>No transaction in progress: a new one may start.</summary>
    public static bool IsIdle(TransactionState state) =>
        state is TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort;

    /// <summary>The outcome is decided and markers are (being) written.</summary>
    public static bool IsPreparing(TransactionState state) =>
        state is TransactionState.PrepareCommit or TransactionState.PrepareAbort;
}

namespace Samsa.Broker.Replication;

/// <summary>
/// One record a produce was refused for (KIP-467): its index in the batch and why. Kafka's clients
/// fail exactly these records with the partition's error and the rest of the batch as collateral.
/// </summary>
internal sealed record RecordError(int BatchIndex, string Message)
{
    /// <summary>As Kafka prints one in the partition's error message.</summary>
    public override string ToString() => $"RecordError(batchIndex={BatchIndex}, message='{Message}')";
}

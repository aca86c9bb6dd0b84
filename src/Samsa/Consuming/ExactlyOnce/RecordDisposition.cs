namespace Samsa.Consuming.ExactlyOnce;

/// <summary>What a record put into the transaction was done with; it counts once the transaction commits.</summary>
internal enum RecordDisposition
{
    Handled,
    Forwarded,
    DeadLettered,
}

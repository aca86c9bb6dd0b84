namespace Samsa.Consuming;

/// <summary>One partition a consumer worker holds (of its source topic or a retry topic), at a point in time.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition number.</param>
/// <param name="State">What the partition is doing.</param>
/// <param name="OldestUnhandledAge">How long its oldest fetched, not yet handled record has waited, or null when there is none.</param>
public sealed record ConsumerPartitionStatus(string Topic, int Partition, ConsumerPartitionState State, TimeSpan? OldestUnhandledAge);

namespace Samsa.Monitoring;

/// <summary>A consumer group's state and the lag of every partition it committed to or is assigned.</summary>
internal sealed record GroupLag(string Group, string State, int Members, IReadOnlyList<PartitionLag> Partitions)
{
    public long TotalLag => Partitions.Sum(p => p.Lag ?? 0);
}

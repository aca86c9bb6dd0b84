namespace Samsa.Testing.Faults;

/// <summary>
/// Which requests a fault applies to. Every property left null matches anything.
/// <code>new RequestFilter { Topic = "orders", Partition = 3, ClientId = "billing" }</code>
/// A topic or partition filter narrows a fault to those partitions of a request: the others are
/// served normally, and the answer carries both.
/// </summary>
public sealed record RequestFilter
{
    /// <summary>Matches requests from clients with this <c>client.id</c>.</summary>
    public string? ClientId { get; init; }

    /// <summary>Matches requests about this consumer group (OffsetCommit, JoinGroup, FindCoordinator ...).</summary>
    public string? GroupId { get; init; }

    /// <summary>Matches requests that name this topic; only its partitions get the fault.</summary>
    public string? Topic { get; init; }

    /// <summary>Matches requests that name this partition (of <see cref="Topic"/> when set); only it gets the fault.</summary>
    public int? Partition { get; init; }

    /// <summary>A filter that matches every request.</summary>
    public static RequestFilter Any { get; } = new();

    internal bool NarrowsPartitions => Topic is not null || Partition is not null;

    internal bool MatchesPartition(string topic, int? partition) =>
        (Topic is null || string.Equals(Topic, topic, StringComparison.Ordinal)) && (Partition is null || partition is null || Partition == partition);
}

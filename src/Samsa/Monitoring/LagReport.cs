namespace Samsa.Monitoring;

/// <summary>One reading of the lag monitor: every watched group, when it was taken, and the error if it failed.</summary>
internal sealed record LagReport(IReadOnlyList<GroupLag> Groups, DateTimeOffset At, string? Error)
{
    /// <summary>The partitions <paramref name="group"/> lags on in <paramref name="topics"/>.</summary>
    public IEnumerable<PartitionLag> PartitionsOf(string group, Func<string, bool> topics) =>
        Groups.Where(g => string.Equals(g.Group, group, StringComparison.Ordinal)).SelectMany(g => g.Partitions).Where(p => topics(p.Topic));
}

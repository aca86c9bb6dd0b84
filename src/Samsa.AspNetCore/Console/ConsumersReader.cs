using Microsoft.Extensions.Hosting;
using Samsa.Consuming;
using Samsa.Monitoring;

namespace Samsa.AspNetCore.Console;

/// <summary>
/// The console's consumers page: each worker's own status (state, counters the page turns into rates) and the lag
/// monitor's latest reading at the brokers (committed and end offsets, lag, time lag, stuck), the same reading the
/// <c>samsa.consumer_group.*</c> gauges, the consumer health checks and <c>samsa lag</c> use.
/// </summary>
internal sealed class ConsumersReader(IEnumerable<IHostedService> hostedServices, TimeProvider timeProvider, ConsumerLagMonitor? monitor = null)
{
    private readonly ConsumerWorker[] _workers = [.. hostedServices.OfType<ConsumerWorker>()];

    /// <summary>The workers of this service.</summary>
    public IReadOnlyList<ConsumerWorker> Workers => _workers;

    public ConsoleConsumers Read()
    {
        var now = timeProvider.GetUtcNow();
        var workers = _workers.Select(worker =>
        {
            var status = worker.GetStatus();
            return new ConsoleWorker(
                status.GroupId,
                status.Topic,
                worker.Options.EffectiveDeadLetterTopic,
                status.State.ToString(),
                status.AssignedPartitions,
                status.Lag,
                status.Handled,
                status.ForwardedToRetry,
                status.DeadLettered,
                status.PausedPartitions,
                status.DependencyDownPartitions,
                status.BlockedPartitions,
                status.OldestUnhandledAge?.TotalSeconds,
                status.LastCommit,
                status.Fault?.Message ?? status.LastForwardError,
                [.. status.Partitions.Select(p => new ConsoleWorkerPartition(p.Topic, p.Partition, p.State.ToString(), p.OldestUnhandledAge?.TotalSeconds))]);
        }).ToList();

        var latest = monitor?.Latest;
        var groups = latest?.Groups.Select(group => new ConsoleGroupLag(
            group.Group,
            group.State,
            group.Members,
            group.TotalLag,
            [.. group.Partitions.Select(p => new ConsolePartitionLag(p.Topic, p.Partition, p.Committed, p.End, p.Lag, p.TimeLag(now)?.TotalSeconds, p.Stuck))])).ToList() ?? [];
        return new ConsoleConsumers(
            workers,
            groups,
            latest?.At,
            monitor is null ? "No lag monitor: this service has no consumer, or Kafka:Monitoring:Disabled is set." : latest?.Error,
            monitor?.Options.Interval.TotalSeconds,
            now);
    }
}

/// <summary>The consumers page's data.</summary>
internal sealed record ConsoleConsumers(
    IReadOnlyList<ConsoleWorker> Workers, IReadOnlyList<ConsoleGroupLag> Groups, DateTimeOffset? LagReadAt, string? LagError, double? LagIntervalSeconds, DateTimeOffset At);

/// <summary>One consumer worker of this service.</summary>
internal sealed record ConsoleWorker(
    string Group,
    string Topic,
    string DeadLetterTopic,
    string State,
    IReadOnlyList<string> AssignedPartitions,
    long Lag,
    long Handled,
    long Retried,
    long DeadLettered,
    int PausedPartitions,
    int DependencyDownPartitions,
    int BlockedPartitions,
    double? OldestUnhandledSeconds,
    DateTimeOffset? LastCommit,
    string? Error,
    IReadOnlyList<ConsoleWorkerPartition> Partitions);

/// <summary>One partition a worker of this service holds: Running, Paused, DependencyDown or Blocked.</summary>
internal sealed record ConsoleWorkerPartition(string Topic, int Partition, string State, double? OldestUnhandledSeconds);

/// <summary>One group as the lag monitor read it.</summary>
internal sealed record ConsoleGroupLag(string Group, string State, int Members, long TotalLag, IReadOnlyList<ConsolePartitionLag> Partitions);

/// <summary>One partition of a group.</summary>
internal sealed record ConsolePartitionLag(string Topic, int Partition, long? Committed, long End, long? Lag, double? TimeLagSeconds, bool Stuck);

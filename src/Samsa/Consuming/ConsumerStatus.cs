namespace Samsa.Consuming;

/// <summary>A point-in-time view of one consumer worker, for health checks and diagnostics.</summary>
public sealed record ConsumerStatus
{
    /// <summary>The source topic.</summary>
    public required string Topic { get; init; }

    /// <summary>The consumer group.</summary>
    public required string GroupId { get; init; }

    /// <summary>Where the worker is in its life.</summary>
    public required ConsumerWorkerState State { get; init; }

    /// <summary>The partitions it holds (source and retry topics), as <c>topic[partition]</c>.</summary>
    public IReadOnlyList<string> AssignedPartitions { get; init; } = [];

    /// <summary>Each held partition with its state: running, paused, dependency down or blocked.</summary>
    public IReadOnlyList<ConsumerPartitionStatus> Partitions { get; init; } = [];

    /// <summary>Records in the held partitions that are not handled yet (high watermark minus the handled position), as of the last commit tick.</summary>
    public long Lag { get; init; }

    /// <summary>How long the oldest record fetched and not yet handled has waited in the worker, or null when there is none.</summary>
    public TimeSpan? OldestUnhandledAge { get; init; }

    /// <summary>Records handled (the handler returned) since start.</summary>
    public long Handled { get; init; }

    /// <summary>Records forwarded to a retry topic since start.</summary>
    public long ForwardedToRetry { get; init; }

    /// <summary>Records written to the dead-letter topic since start.</summary>
    public long DeadLettered { get; init; }

    /// <summary>Partitions stopped because their dead letter (or retry copy) cannot be written; they do not move on until it is.</summary>
    public int BlockedPartitions { get; init; }

    /// <summary>The last error writing a dead letter or retry copy while <see cref="BlockedPartitions"/> is above zero.</summary>
    public string? LastForwardError { get; init; }

    /// <summary>Partitions paused because their handler's dependency is down.</summary>
    public int DependencyDownPartitions { get; init; }

    /// <summary>Partitions paused, for backpressure or a dependency that is down.</summary>
    public int PausedPartitions { get; init; }

    /// <summary>When offsets were last committed, or null before the first commit.</summary>
    public DateTimeOffset? LastCommit { get; init; }

    /// <summary>The error that stopped the worker (<see cref="ConsumerWorkerState.Faulted"/>).</summary>
    public Exception? Fault { get; init; }
}

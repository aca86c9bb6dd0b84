namespace Samsa.Consuming;

/// <summary>What one held partition of a consumer worker is doing.</summary>
public enum ConsumerPartitionState
{
    /// <summary>Fetching and handling records.</summary>
    Running,

    /// <summary>Paused for backpressure: it has as many records in flight as the worker allows.</summary>
    Paused,

    /// <summary>Paused because the handler's dependency is down (the dependency probe says so); resumes when it is back.</summary>
    DependencyDown,

    /// <summary>Stopped because a dead letter or retry copy cannot be written; it does not move on until it can.</summary>
    Blocked,
}

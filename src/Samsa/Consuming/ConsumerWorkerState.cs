namespace Samsa.Consuming;

/// <summary>Where a <see cref="ConsumerWorker"/> is in its life.</summary>
public enum ConsumerWorkerState
{
    /// <summary>Registered; the host has not started it yet.</summary>
    Created,

    /// <summary>Building its consumer and joining the group.</summary>
    Starting,

    /// <summary>Consuming.</summary>
    Running,

    /// <summary>Finishing the records in progress and committing before it leaves the group.</summary>
    Stopping,

    /// <summary>Stopped after a shutdown.</summary>
    Stopped,

    /// <summary>Stopped by an error it cannot recover from (see <see cref="ConsumerStatus.Fault"/>).</summary>
    Faulted,
}

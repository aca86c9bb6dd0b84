namespace Samsa.Broker.Coordination;

/// <summary>
/// When a coordinator tries a failed shard load again: the shard keeps answering COORDINATOR_LOAD_IN_PROGRESS,
/// which clients retry, and the load is tried again after a backoff that doubles up to <see cref="MaxDelay"/>
/// for as long as the same node leads the partition. A failure of any kind ends this way, so a shard never
/// stays loading silently and a transient failure heals without a restart.
/// </summary>
internal static class CoordinatorLoadRetry
{
    /// <summary>The wait before the second attempt.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between attempts.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    /// <summary>The wait after failed attempt number <paramref name="failedAttempt"/> (1 for the first load).</summary>
    public static TimeSpan DelayAfter(int failedAttempt)
    {
        var doublings = Math.Clamp(failedAttempt - 1, 0, 16);
        var delay = TimeSpan.FromTicks(FirstDelay.Ticks << doublings);
        return delay < MaxDelay ? delay : MaxDelay;
    }
}

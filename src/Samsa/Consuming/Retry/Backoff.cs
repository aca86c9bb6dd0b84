namespace Samsa.Consuming.Retry;

/// <summary>Exponential backoff with jitter, and waits through a <see cref="TimeProvider"/>.</summary>
internal static class Backoff
{
    /// <summary>
    /// <paramref name="baseDelay"/> doubled for each retry after the first, capped at <paramref name="maxDelay"/>, then
    /// moved by up to ±<paramref name="jitter"/> of itself (<paramref name="random"/> 0 gives the low end, 1 the high
    /// end), and capped again.
    /// </summary>
    public static TimeSpan Exponential(TimeSpan baseDelay, TimeSpan maxDelay, int retry, double jitter, double random)
    {
        if (baseDelay <= TimeSpan.Zero || retry < 1)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(retry - 1, 62);
        var ticks = Math.Min((double)baseDelay.Ticks * Math.Pow(2, exponent), maxDelay.Ticks);
        var spread = Math.Clamp(jitter, 0, 1);
        ticks *= 1 + (spread * ((2 * Math.Clamp(random, 0, 1)) - 1));
        return TimeSpan.FromTicks((long)Math.Clamp(ticks, 0, maxDelay.Ticks));
    }

    /// <summary>Waits <paramref name="delay"/> on <paramref name="timeProvider"/>'s clock; a zero or negative delay completes at once.</summary>
    public static Task DelayAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero
            ? cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask
            : Task.Delay(delay, timeProvider, cancellationToken);
}

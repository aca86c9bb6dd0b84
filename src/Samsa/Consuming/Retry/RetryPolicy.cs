namespace Samsa.Consuming.Retry;

/// <summary>
/// How transient failures are retried (<see cref="ConsumerOptions.Retry"/>): first in place, up to
/// <see cref="MaxAttempts"/> handler calls with exponential backoff and jitter while only the record's partition waits;
/// then once per retry topic, each after its delay in <see cref="RetryTopicDelays"/>, without holding up the partition;
/// then the dead-letter topic.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Handler calls in place for a record from the source topic, the first included. 1 turns in-place retries off. Default <see cref="ConsumerDefaults.MaxAttempts"/>.</summary>
    public int MaxAttempts { get; set; } = ConsumerDefaults.MaxAttempts;

    /// <summary>The wait before the first in-place retry; it doubles for each one after. Default <see cref="ConsumerDefaults.RetryBaseDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = ConsumerDefaults.RetryBaseDelay;

    /// <summary>The longest wait between in-place attempts. Default <see cref="ConsumerDefaults.RetryMaxDelay"/>.</summary>
    public TimeSpan MaxDelay { get; set; } = ConsumerDefaults.RetryMaxDelay;

    /// <summary>
    /// How much each wait varies at random, as a fraction of it: 0.2 waits between 80% and 120% of the exponential
    /// value (never above <see cref="MaxDelay"/>), so instances that failed together do not retry together. 0 to 1.
    /// Default <see cref="ConsumerDefaults.RetryJitter"/>.
    /// </summary>
    public double Jitter { get; set; } = ConsumerDefaults.RetryJitter;

    /// <summary>
    /// One entry per retry topic (<c>&lt;topic&gt;.retry.1</c>, <c>.retry.2</c>…): how long after its failure a record
    /// is tried again from that topic. Empty (the default): no retry topics, records go from the in-place retries
    /// straight to the dead-letter topic. Retry topics are declared for provisioning with the source topic.
    /// </summary>
    public IList<TimeSpan> RetryTopicDelays { get; set; } = [];

    /// <summary>
    /// The wait before in-place retry number <paramref name="retry"/> (1 for the first), with
    /// <paramref name="random"/> (0 to 1) choosing where it falls in the jitter range.
    /// </summary>
    public TimeSpan DelayBefore(int retry, double random) => Backoff.Exponential(BaseDelay, MaxDelay, retry, Jitter, random);
}

using Microsoft.Extensions.Time.Testing;
using Samsa.Consuming.Retry;

namespace Samsa.Tests.Consuming.Retry;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(6, 6_400)]
    [InlineData(7, 10_000)]
    [InlineData(1_000, 10_000)]
    public void Exponential_NoJitter_DoublesFromTheBaseUpToTheCap(int retry, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.Exponential(Base, Max, retry, jitter: 0, random: 0.5));
    }

    [Fact]
    public void Exponential_Jitter_SpreadsAroundTheDelayAndNeverAboveTheCap()
    {
        // retry 2: 400 ms, ±20 %.
        Assert.Equal(TimeSpan.FromMilliseconds(320), Backoff.Exponential(Base, Max, 2, jitter: 0.2, random: 0));
        Assert.Equal(TimeSpan.FromMilliseconds(400), Backoff.Exponential(Base, Max, 2, jitter: 0.2, random: 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(480), Backoff.Exponential(Base, Max, 2, jitter: 0.2, random: 1));

        // At the cap, the upper half of the jitter is cut off: waiting longer than MaxDelay would break its promise.
        Assert.Equal(TimeSpan.FromSeconds(8), Backoff.Exponential(Base, Max, 20, jitter: 0.2, random: 0));
        Assert.Equal(Max, Backoff.Exponential(Base, Max, 20, jitter: 0.2, random: 1));
    }

    [Fact]
    public void Exponential_OutOfRangeInputs_AreClampedNotThrown()
    {
        Assert.Equal(TimeSpan.Zero, Backoff.Exponential(Base, Max, retry: 0, jitter: 0, random: 0));
        Assert.Equal(TimeSpan.Zero, Backoff.Exponential(TimeSpan.Zero, Max, retry: 3, jitter: 0, random: 0));
        Assert.Equal(TimeSpan.Zero, Backoff.Exponential(Base, Max, retry: 2, jitter: 5, random: 0)); // jitter clamped to 1: 400 ms × 0
        Assert.Equal(TimeSpan.FromMilliseconds(800), Backoff.Exponential(Base, Max, retry: 2, jitter: 1, random: 7)); // random clamped to 1
        Assert.Equal(Max, Backoff.Exponential(Base, Max, retry: int.MaxValue, jitter: 0, random: 0));
    }

    [Fact]
    public async Task DelayAsync_WaitsOnTheGivenClock()
    {
        var time = new FakeTimeProvider();

        var delay = Backoff.DelayAsync(time, TimeSpan.FromSeconds(5), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(delay.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void DelayAsync_ZeroOrNegative_CompletesAtOnceOrCancelled()
    {
        Assert.True(Backoff.DelayAsync(TimeProvider.System, TimeSpan.Zero, CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(Backoff.DelayAsync(TimeProvider.System, TimeSpan.FromSeconds(-1), CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(Backoff.DelayAsync(TimeProvider.System, TimeSpan.Zero, new CancellationToken(canceled: true)).IsCanceled);
    }

    [Fact]
    public void RetryPolicy_DelayBefore_UsesItsOwnSettings()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(3), Jitter = 0 };

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], Enumerable.Range(1, 4).Select(r => policy.DelayBefore(r, 0.5)));
    }

    [Fact]
    public void RetryPolicy_Defaults_AreTheDocumentedOnes()
    {
        var policy = new RetryPolicy();

        Assert.Equal(3, policy.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.MaxDelay);
        Assert.Equal(0.2, policy.Jitter);
        Assert.Empty(policy.RetryTopicDelays);
    }
}

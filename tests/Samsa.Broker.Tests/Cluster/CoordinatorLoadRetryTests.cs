using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Cluster;

namespace Samsa.Broker.Tests.Cluster;

public sealed class CoordinatorLoadRetryTests
{
    [Theory]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(6, 6400)]
    [InlineData(7, 10_000)]
    [InlineData(1_000, 10_000)]
    public void DelayAfter_DoublesFromTheFirstDelayUpToTheMaximum(int failedAttempt, int expectedMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), CoordinatorLoadRetry.DelayAfter(failedAttempt));

    [Fact]
    public async Task Schedule_ReloadRunsOnlyOnceTheBackoffHasPassed()
    {
        var time = new FakeTimeProvider();
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        CoordinatorLoadRetry.Schedule(time, failedAttempt: 2, () => reloaded.SetResult());

        // The delay is registered on the fake clock from a thread-pool task: advance in steps until it fires (bounded in real time).
        var advanced = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(50);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (!reloaded.Task.IsCompleted)
        {
            deadline.Token.ThrowIfCancellationRequested();
            time.Advance(step);
            advanced += step;
            await Task.WhenAny(reloaded.Task, Task.Delay(10, deadline.Token));
        }

        Assert.True(advanced >= CoordinatorLoadRetry.DelayAfter(2), $"reloaded after {advanced}");
    }
}

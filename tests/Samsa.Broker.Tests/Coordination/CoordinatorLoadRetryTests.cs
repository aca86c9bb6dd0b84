using Samsa.Broker.Coordination;

namespace Samsa.Broker.Tests.Coordination;

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
}

using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;
using Samsa.Publishing;

namespace Samsa.Tests.Publishing;

public sealed class ProducerErrorTrackerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 8, 21, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void RecordFailure_SeveralCodes_CountsEachCodeAndKeepsTheLast()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(5));

        tracker.RecordFailure(ErrorCode.Local_MsgTimedOut, "timed out", "orders");
        tracker.RecordFailure(ErrorCode.Local_MsgTimedOut, "timed out", "orders");
        tracker.RecordFailure(ErrorCode.MsgSizeTooLarge, "too large", "audit");
        tracker.RecordDelivered();

        var snapshot = tracker.GetSnapshot();
        Assert.Equal(3, snapshot.Failures);
        Assert.Equal(3, snapshot.RecentFailures);
        Assert.Equal(1, snapshot.Delivered);
        Assert.Equal(2, snapshot.FailuresByCode[ErrorCode.Local_MsgTimedOut]);
        Assert.Equal(1, snapshot.FailuresByCode[ErrorCode.MsgSizeTooLarge]);
        Assert.Equal(new ProducerFailure(ErrorCode.MsgSizeTooLarge, "too large", "audit", _time.GetUtcNow()), snapshot.LastFailure);
        Assert.Equal(TimeSpan.Zero, snapshot.SinceLastDelivery);
    }

    [Fact]
    public void GetSnapshot_FailuresOlderThanWindow_AreNoLongerRecentButStillCounted()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(1));
        tracker.RecordFailure(ErrorCode.Local_Transport, null, null);
        _time.Advance(TimeSpan.FromSeconds(30));
        tracker.RecordFailure(ErrorCode.Local_Transport, null, null);

        Assert.Equal(2, tracker.GetSnapshot().RecentFailures);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, tracker.GetSnapshot().RecentFailures);
        _time.Advance(TimeSpan.FromSeconds(30));
        var snapshot = tracker.GetSnapshot();
        Assert.Equal(0, snapshot.RecentFailures);
        Assert.Equal(2, snapshot.Failures);
    }

    [Fact]
    public void RecordFailure_SameBucketSlotAfterAFullWindow_StartsTheSlotAfresh()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(1));
        tracker.RecordFailure(ErrorCode.Local_Transport, null, null);
        tracker.RecordFailure(ErrorCode.Local_Transport, null, null);
        _time.Advance(TimeSpan.FromMinutes(1));

        tracker.RecordFailure(ErrorCode.Local_Transport, null, null);

        Assert.Equal(1, tracker.GetSnapshot().RecentFailures);
    }

    [Fact]
    public void RecordClientError_Fatal_IsKeptAsFatalError()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(1));

        tracker.RecordClientError(ErrorCode.Local_AllBrokersDown, "all down", isFatal: false);
        tracker.RecordClientError(ErrorCode.Local_Fatal, "fenced", isFatal: true);

        var snapshot = tracker.GetSnapshot();
        Assert.Equal(1, snapshot.ClientErrorsByCode[ErrorCode.Local_AllBrokersDown]);
        Assert.Equal(ErrorCode.Local_Fatal, snapshot.FatalError!.Code);
        Assert.Equal(0, snapshot.Failures);
        Assert.Null(snapshot.SinceLastDelivery);
    }

    [Fact]
    public async Task RecordFailure_ManyThreads_LosesNoCount()
    {
        var tracker = new ProducerErrorTracker(_time, TimeSpan.FromMinutes(5));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                tracker.RecordFailure(ErrorCode.Local_QueueFull, null, null);
            }
        })));

        var snapshot = tracker.GetSnapshot();
        Assert.Equal(40_000, snapshot.Failures);
        Assert.Equal(40_000, snapshot.FailuresByCode[ErrorCode.Local_QueueFull]);
        Assert.Equal(40_000, snapshot.RecentFailures);
    }
}

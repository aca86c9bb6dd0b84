using Samsa.Consuming.DeadLetter;
using static Samsa.Tests.Consuming.DeadLetter.DeadLetterTestSupport;

namespace Samsa.Tests.Consuming.DeadLetter;

public sealed class ReplayFilterTests
{
    private static readonly DeadLetterRecord Record = new()
    {
        Partition = 0,
        Offset = 4,
        DeadLetteredAt = Start.AddMinutes(5),
        OriginalTopic = "orders",
        OriginalPartition = 2,
        OriginalOffset = 40,
        GroupId = "billing",
        Reason = DeadLetterReasons.Permanent,
        ExceptionType = "Acme.Billing.PaymentHandler+CardDeclinedException",
        LastFailure = Start,
    };

    [Fact]
    public void Matches_EmptyFilter_TakesEverything()
    {
        Assert.True(new ReplayFilter().Matches(Record));
        Assert.Equal("all records", new ReplayFilter().ToString());
    }

    [Theory]
    [InlineData("Acme.Billing.PaymentHandler+CardDeclinedException", true)]
    [InlineData("CardDeclinedException", true)]
    [InlineData("PaymentHandler+CardDeclinedException", false)]
    [InlineData("cardDeclinedException", false)]
    [InlineData("DeclinedException", false)]
    public void Matches_ExceptionType_FullOrSimpleNameExactly(string type, bool expected)
    {
        Assert.Equal(expected, new ReplayFilter { ExceptionType = type }.Matches(Record));
    }

    [Fact]
    public void Matches_ExceptionTypeWhenRecordHasNone_IsFalse()
    {
        Assert.False(new ReplayFilter { ExceptionType = "TimeoutException" }.Matches(Record with { ExceptionType = null }));
    }

    [Theory]
    [InlineData(0, null, true)]
    [InlineData(1, null, false)]
    [InlineData(null, 1, true)]
    [InlineData(null, 0, false)]
    [InlineData(-1, 1, true)]
    public void Matches_TimeWindow_FromInclusiveToExclusive(int? fromSeconds, int? toSeconds, bool expected)
    {
        var filter = new ReplayFilter
        {
            FailedFrom = fromSeconds is { } from ? Start.AddSeconds(from) : null,
            FailedTo = toSeconds is { } to ? Start.AddSeconds(to) : null,
        };

        Assert.Equal(expected, filter.Matches(Record));
    }

    [Fact]
    public void Matches_TimeWindowWithoutLastFailure_UsesWhenItWasDeadLettered()
    {
        var filter = new ReplayFilter { FailedFrom = Start.AddMinutes(1) };

        Assert.False(filter.Matches(Record));
        Assert.True(filter.Matches(Record with { LastFailure = null }));
    }

    [Theory]
    [InlineData(2, 40L, 40L, true)]
    [InlineData(1, null, null, false)]
    [InlineData(null, 41L, null, false)]
    [InlineData(null, null, 39L, false)]
    [InlineData(null, 0L, 100L, true)]
    public void Matches_PartitionAndOffsetRange_BoundsInclusive(int? partition, long? from, long? to, bool expected)
    {
        Assert.Equal(expected, new ReplayFilter { OriginalPartition = partition, FromOffset = from, ToOffset = to }.Matches(Record));
    }

    [Fact]
    public void Matches_GroupAndReason_Exactly()
    {
        Assert.True(new ReplayFilter { GroupId = "billing", Reason = DeadLetterReasons.Permanent }.Matches(Record));
        Assert.False(new ReplayFilter { GroupId = "shipping" }.Matches(Record));
        Assert.False(new ReplayFilter { Reason = DeadLetterReasons.RetriesExhausted }.Matches(Record));
    }

    [Fact]
    public void ToString_EveryCriterion_NamesEach()
    {
        var filter = new ReplayFilter
        {
            ExceptionType = "TimeoutException",
            FailedFrom = Start,
            OriginalPartition = 1,
            ToOffset = 9,
            GroupId = "billing",
            Reason = "permanent",
        };

        Assert.Equal(
            "exception type TimeoutException, failed in [2026-08-21T10:00:00.0000000+00:00, -), partition 1, offsets [-, 9], group billing, reason permanent",
            filter.ToString());
    }
}

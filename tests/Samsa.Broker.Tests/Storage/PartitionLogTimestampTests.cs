using Samsa.Broker.Storage;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Timestamps: lookups by time, the max timestamp, rolling by time and log-append time.</summary>
public sealed class PartitionLogTimestampTests
{
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 400, IndexIntervalBytes = 100 };

    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FindOffsetForTimestamp_AcrossSegments_ReturnsFirstRecordReachingIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(SmallSegments);

        // Batch i holds offsets 2i and 2i+1 with timestamps 1000 + 100i and 1000 + 100i + 1.
        for (var i = 0; i < 50; i++)
        {
            log.Append(TestBatches.Create(2, firstTimestamp: 1_000 + (100 * i)));
        }

        Assert.True(log.SegmentCount > 5);
        Assert.Equal((0, 1_000), log.FindOffsetForTimestamp(0));
        Assert.Equal((1, 1_001), log.FindOffsetForTimestamp(1_001));
        Assert.Equal((2, 1_100), log.FindOffsetForTimestamp(1_002));
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal((2L * i, 1_000 + (100L * i)), log.FindOffsetForTimestamp(1_000 + (100 * i)));
            Assert.Equal((2L * i, 1_000 + (100L * i)), log.FindOffsetForTimestamp(1_000 + (100 * i) - 50));
            Assert.Equal((2L * i + 1, 1_000 + (100L * i) + 1), log.FindOffsetForTimestamp(1_000 + (100 * i) + 1));
        }

        Assert.Null(log.FindOffsetForTimestamp(1_000 + (100 * 49) + 2));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FindOffsetForTimestamp_OutOfOrderTimestamps_ReturnsEarliestBatchReachingIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(SmallSegments);
        long[] maxTimestamps = [5_000, 1_000, 2_000, 9_000, 3_000, 9_500, 100];
        foreach (var timestamp in maxTimestamps)
        {
            log.Append(TestBatches.Create(1, firstTimestamp: timestamp));
        }

        Assert.Equal((0, 5_000), log.FindOffsetForTimestamp(4_000));
        Assert.Equal((3, 9_000), log.FindOffsetForTimestamp(5_001));
        Assert.Equal((5, 9_500), log.FindOffsetForTimestamp(9_001));
        Assert.Null(log.FindOffsetForTimestamp(9_501));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FindOffsetForTimestamp_BelowLogStartOffset_NeverReturnsDeletedOffsets(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(SmallSegments);
        for (var i = 0; i < 20; i++)
        {
            log.Append(TestBatches.Create(2, firstTimestamp: 1_000 + (100 * i)));
        }

        log.DeleteRecordsBefore(11);

        Assert.Equal((11, 1_501), log.FindOffsetForTimestamp(0));
        Assert.Equal((12, 1_600), log.FindOffsetForTimestamp(1_600));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void MaxTimestamp_AfterAppendsAndReopen_IsLargestWithItsBatch(string kind)
    {
        using var context = new StorageTestContext(kind);
        long[] maxTimestamps = [5_000, 1_000, 9_000, 2_000, 9_000, 3_000, 4_000, 100, 200, 300];
        using (var log = context.Open(SmallSegments))
        {
            foreach (var timestamp in maxTimestamps)
            {
                log.Append(TestBatches.Create(3, firstTimestamp: timestamp - 2));
                log.Append(TestBatches.Create(3, firstTimestamp: 0));
            }

            Assert.True(log.SegmentCount > 3);
            Assert.Equal((14, 9_000), log.MaxTimestamp);
        }

        using var reopened = context.Open(SmallSegments);
        Assert.Equal((14, 9_000), reopened.MaxTimestamp);
        Assert.Equal((12, 8_998), reopened.FindOffsetForTimestamp(5_001));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_RecordsSpanningMoreThanSegmentMs_RollsSegment(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { SegmentMs = 60_000 });

        log.Append(TestBatches.Create(1, firstTimestamp: 1_000));
        log.Append(TestBatches.Create(1, firstTimestamp: 61_000));
        Assert.Equal(1, log.SegmentCount);

        log.Append(TestBatches.Create(1, firstTimestamp: 61_001));
        Assert.Equal([0, 2], log.SegmentBaseOffsets);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_NoTimestampsAndClockPastSegmentMs_RollsSegment(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { SegmentMs = 60_000 });
        log.Append(TestBatches.Create(1, firstTimestamp: -1));
        context.Time.Advance(TimeSpan.FromMinutes(1));
        log.Append(TestBatches.Create(1, firstTimestamp: -1));
        Assert.Equal(1, log.SegmentCount);

        context.Time.Advance(TimeSpan.FromMilliseconds(1));
        log.Append(TestBatches.Create(1, firstTimestamp: -1));

        Assert.Equal([0, 2], log.SegmentBaseOffsets);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_LogAppendTimeTopic_StampsBatchesAndKeepsCrcValid(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { LogAppendTime = true });
        var batches = TestBatches.Concat(TestBatches.Create(2, firstTimestamp: 5), TestBatches.Create(1, firstTimestamp: 7));

        var info = log.Append(batches);

        Assert.Equal(context.NowMs, info.LogAppendTime);
        Assert.Equal(context.NowMs, info.MaxTimestamp);
        using var result = log.Read(0, 10_000);
        var headers = TestBatches.Parse(result.Records);
        Assert.Equal(2, headers.Count);
        Assert.All(headers, header =>
        {
            Assert.Equal(TimestampType.LogAppendTime, header.TimestampType);
            Assert.Equal(context.NowMs, header.MaxTimestamp);
        });
        Assert.Equal((1, context.NowMs), log.MaxTimestamp);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Broker.Storage;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Storage;

/// <summary>One segment on its own: locating a fetch offset, rolling, recovering a torn tail, truncating.</summary>
public sealed class LogSegmentTests
{
    private const long Now = 1_000_000;
    private const int IndexInterval = 1;

    [Fact]
    public void Read_OffsetInsideABatch_StartsAtThatBatchAndStopsBelowTheLimit()
    {
        using var segment = SegmentWith(100, (100, 5), (105, 3), (108, 1));

        using (var fromMiddle = segment.Read(106, int.MaxValue, long.MaxValue, minOneBatch: true))
        {
            Assert.Equal([105L, 108L], TestBatches.Parse(fromMiddle!.Records).Select(h => h.BaseOffset));
        }

        using (var belowLimit = segment.Read(100, int.MaxValue, limit: 108, minOneBatch: true))
        {
            Assert.Equal([100L, 105L], TestBatches.Parse(belowLimit!.Records).Select(h => h.BaseOffset));
        }

        Assert.Null(segment.Read(109, int.MaxValue, long.MaxValue, minOneBatch: true));
    }

    [Fact]
    public void Read_FirstBatchLargerThanMaxBytes_OnlyWithMinOneBatch()
    {
        using var segment = SegmentWith(0, (0, 5), (5, 5));
        var firstSize = Batch(0, 5).Length;

        using (var one = segment.Read(0, maxBytes: 1, long.MaxValue, minOneBatch: true))
        {
            Assert.Equal(firstSize, one!.Records.Length);
        }

        using var none = segment.Read(0, maxBytes: 1, long.MaxValue, minOneBatch: false);
        Assert.Equal(0, none!.Records.Length);
    }

    [Fact]
    public void ShouldRoll_BySizeOffsetRangeAndTime_NeverWhenEmpty()
    {
        var directory = new MemoryLogDirectory("t-0");
        using var segment = LogSegment.Create(directory, 0, Now);
        var config = new LogConfig { SegmentBytes = 1_000, SegmentMs = 60_000 };
        Assert.False(segment.ShouldRoll(incomingBytes: 5_000, incomingLastOffset: 0, incomingMaxTimestamp: -1, Now, config));

        segment.Append(Batch(0, 2, firstTimestamp: 10_000), IndexInterval);
        var size = (int)segment.Size;

        Assert.False(segment.ShouldRoll(1_000 - size, 2, 10_001, Now, config));
        Assert.True(segment.ShouldRoll(1_000 - size + 1, 2, 10_001, Now, config));
        Assert.True(segment.ShouldRoll(10, (long)int.MaxValue + 1, 10_001, Now, config));
        // As in Kafka, the time is counted from the first batch's max timestamp (10,001 here).
        Assert.False(segment.ShouldRoll(10, 2, 10_001 + 60_000, Now, config));
        Assert.True(segment.ShouldRoll(10, 2, 10_001 + 60_001, Now, config));
    }

    [Fact]
    public void Recover_DamagedSecondBatch_CutsTheFileThereAndReturnsTheNextOffsetAfterTheFirst()
    {
        var directory = new MemoryLogDirectory("t-0");
        var first = Batch(50, 4);
        var second = Batch(54, 2);
        second[^1] ^= 0xFF;
        using (var file = directory.Open(LogFileNames.Log(50)))
        {
            file.Append(first);
            file.Append(second);
        }

        using var segment = LogSegment.Open(directory, 50, Now);
        var next = segment.Recover(IndexInterval, closed: false, NullLogger.Instance, "t-0", out var truncated);

        Assert.Equal(54, next);
        Assert.Equal(second.Length, truncated);
        Assert.Equal(first.Length, segment.Size);
    }

    [Fact]
    public void TruncateTo_AnOffsetInsideABatch_RemovesThatBatchAndEverythingAfter()
    {
        using var segment = SegmentWith(0, (0, 3), (3, 3), (6, 3));

        var next = segment.TruncateTo(4, IndexInterval, NullLogger.Instance, "t-0");

        Assert.Equal(3, next);
        Assert.Equal(Batch(0, 3).Length, segment.Size);
        Assert.Null(segment.Read(3, int.MaxValue, long.MaxValue, minOneBatch: true));
    }

    private static LogSegment SegmentWith(long baseOffset, params (long BaseOffset, int Records)[] batches)
    {
        var segment = LogSegment.Create(new MemoryLogDirectory("t-0"), baseOffset, Now);
        foreach (var (offset, records) in batches)
        {
            segment.Append(Batch(offset, records), IndexInterval);
        }

        return segment;
    }

    private static byte[] Batch(long baseOffset, int records, long firstTimestamp = 1_000)
    {
        var batch = TestBatches.Create(records, firstTimestamp);
        RecordBatchHeader.WriteBaseOffset(batch, baseOffset);
        return batch;
    }
}

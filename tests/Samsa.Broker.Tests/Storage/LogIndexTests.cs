using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

public sealed class LogIndexTests
{
    [Fact]
    public void OffsetIndex_FloorPosition_ReturnsLastEntryAtOrBelowOffset()
    {
        using var index = new OffsetIndex(new MemoryLogFile(), baseOffset: 100);
        index.Append(110, 1_000);
        index.Append(120, 2_000);
        index.Append(130, 3_000);

        Assert.Equal(0, index.FloorPosition(100));
        Assert.Equal(0, index.FloorPosition(109));
        Assert.Equal(1_000, index.FloorPosition(110));
        Assert.Equal(2_000, index.FloorPosition(129));
        Assert.Equal(3_000, index.FloorPosition(long.MaxValue));
        Assert.True(index.LooksValid(segmentSize: 3_001));
        Assert.False(index.LooksValid(segmentSize: 3_000));
    }

    [Fact]
    public void TimeIndex_MaybeAppend_KeepsOnlyGrowingTimestamps()
    {
        using var index = new TimeIndex(new MemoryLogFile(), baseOffset: 100);
        index.MaybeAppend(-1, 100);
        index.MaybeAppend(500, 101);
        index.MaybeAppend(500, 102);
        index.MaybeAppend(400, 103);
        index.MaybeAppend(900, 104);

        Assert.Equal(2, index.EntryCount);
        Assert.Equal((900, 104), index.LastEntry);
        Assert.Null(index.FloorOffset(500));
        Assert.Equal(101, index.FloorOffset(501));
        Assert.Equal(104, index.FloorOffset(long.MaxValue));
    }

    [Fact]
    public void BatchCrc_Compute_MatchesCrc32CCheckValue() =>
        Assert.Equal(0xE3069283u, BatchCrc.Compute("123456789"u8));

    [Fact]
    public void BatchCrc_IsValid_DetectsAnyChangedByteInCoverage()
    {
        var batch = TestBatches.Create(3);
        Assert.True(BatchCrc.IsValid(batch));
        for (var position = Samsa.Protocol.Records.RecordBatchHeader.CrcCoverageStart; position < batch.Length; position++)
        {
            batch[position] ^= 0x01;
            Assert.False(BatchCrc.IsValid(batch));
            batch[position] ^= 0x01;
        }
    }

    [Fact]
    public void MemoryLogFile_TruncateThenAppend_LeavesEarlierViewsUnchanged()
    {
        var file = new MemoryLogFile();
        file.Append([1, 2, 3, 4]);
        Assert.True(file.TryGetMemory(0, 4, out var view));

        file.Truncate(2);
        file.Append([9, 9]);

        Assert.Equal([1, 2, 3, 4], view.ToArray());
        var current = new byte[4];
        Assert.Equal(4, file.Read(0, current));
        Assert.Equal([1, 2, 9, 9], current);
    }
}

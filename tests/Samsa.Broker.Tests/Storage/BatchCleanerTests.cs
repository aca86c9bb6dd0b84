using Samsa.Broker.Storage;
using Samsa.Protocol.Records;
using static Samsa.Broker.Tests.Storage.CompactionTestData;

namespace Samsa.Broker.Tests.Storage;

public sealed class BatchCleanerTests
{
    private const long Now = 1_900_000_000_000;

    [Fact]
    public void Clean_SomeRecordsSuperseded_KeepsOffsetsLastOffsetDeltaAndValidCrc()
    {
        var batch = Stored(Batch(Now, ("a", "1"), ("b", "1"), ("a", "2"), ("c", "1")), baseOffset: 100);
        var map = MapOf(batch);
        map.Put("b"u8, 500);

        var outcome = BatchCleaner.Clean(batch, map, aborted: false, Now, 1_000);

        var cleaned = RecordBatch.Parse(outcome.Batch!);
        Assert.True(cleaned.VerifyCrc());
        Assert.Equal((100L, 3), (cleaned.Header.BaseOffset, cleaned.Header.LastOffsetDelta));
        Assert.Equal([102L, 103L], cleaned.ReadRecords().Select(r => r.Offset));
        Assert.Equal(2, outcome.DroppedRecords);
    }

    [Fact]
    public void Clean_RewrittenBatch_KeepsProducerFieldsHeadersAndCodec()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4) { ProducerId = 42, ProducerEpoch = 3, BaseSequence = 17, PartitionLeaderEpoch = 5 };
        builder.Append(Now, "a"u8.ToArray(), "1"u8.ToArray());
        builder.Append(Now + 1, "b"u8.ToArray(), "1"u8.ToArray(), [new RecordHeader("h", "x"u8.ToArray())]);
        var batch = Stored(builder.ToArray(), baseOffset: 7);
        var map = MapOf(batch);
        map.Put("a"u8, 99);

        var cleaned = RecordBatch.Parse(BatchCleaner.Clean(batch, map, aborted: false, Now, 1_000).Batch!);

        Assert.Equal((42L, (short)3, 17, 5, CompressionType.Lz4), (cleaned.Header.ProducerId, cleaned.Header.ProducerEpoch, cleaned.Header.BaseSequence, cleaned.Header.PartitionLeaderEpoch, cleaned.Header.Compression));
        var record = Assert.Single(cleaned.ReadRecords());
        Assert.Equal((8L, Now + 1), (record.Offset, record.Timestamp));
        Assert.Equal("h", Assert.Single(record.Headers).Key);
    }

    [Fact]
    public void Clean_NothingToDrop_ReturnsTheSameArray()
    {
        var batch = Stored(Batch(Now, ("a", "1"), ("b", "1")), baseOffset: 0);

        var outcome = BatchCleaner.Clean(batch, MapOf(batch), aborted: false, Now, 1_000);

        Assert.Same(batch, outcome.Batch);
    }

    [Fact]
    public void Clean_KeptTombstone_GetsDeleteHorizonThenGoesOnceItPassed()
    {
        var batch = Stored(Batch(Now, ("a", null), ("b", "1")), baseOffset: 0);

        var first = BatchCleaner.Clean(batch, MapOf(batch), aborted: false, Now, 1_000);
        var header = RecordBatch.Parse(first.Batch!).Header;
        Assert.True(header.HasDeleteHorizon);
        Assert.Equal(Now + 1_000, header.BaseTimestamp);
        Assert.All(RecordBatch.Parse(first.Batch!).ReadRecords(), r => Assert.Equal(Now, r.Timestamp));

        Assert.Same(first.Batch, BatchCleaner.Clean(first.Batch!, MapOf(first.Batch!), aborted: false, Now + 999, 1_000).Batch);

        var after = BatchCleaner.Clean(first.Batch!, MapOf(first.Batch!), aborted: false, Now + 1_000, 1_000);
        var survivors = RecordBatch.Parse(after.Batch!).ReadRecords();
        Assert.Equal(["b"], survivors.Select(r => System.Text.Encoding.UTF8.GetString(r.Key!.Value.Span)));
        Assert.False(RecordBatch.Parse(after.Batch!).Header.HasDeleteHorizon);
    }

    [Fact]
    public void Clean_AbortedOrFullySuperseded_DropsTheBatch()
    {
        var batch = Stored(Batch(Now, ("a", "1")), baseOffset: 0);
        var map = new KeyOffsetMap();
        map.Put("a"u8, 10);

        Assert.Null(BatchCleaner.Clean(batch, MapOf(batch), aborted: true, Now, 1_000).Batch);
        Assert.Null(BatchCleaner.Clean(batch, map, aborted: false, Now, 1_000).Batch);
    }

    [Fact]
    public void Clean_ControlBatch_KeptWhole()
    {
        var marker = ControlRecord.CreateEndTransactionBatch(ControlRecordType.Commit, 1, 0, 0, Now);

        Assert.Same(marker, BatchCleaner.Clean(marker, new KeyOffsetMap(), aborted: false, Now, 0).Batch);
    }

    private static byte[] Stored(byte[] batch, long baseOffset)
    {
        RecordBatchHeader.WriteBaseOffset(batch, baseOffset);
        return batch;
    }

    private static KeyOffsetMap MapOf(byte[] batch)
    {
        var map = new KeyOffsetMap();
        BatchCleaner.AddKeys(batch, map, aborted: false);
        return map;
    }
}

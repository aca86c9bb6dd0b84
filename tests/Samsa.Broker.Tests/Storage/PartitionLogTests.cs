using Samsa.Broker.Storage;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Appending and reading, the same on memory and on disk.</summary>
public sealed class PartitionLogTests
{
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 1_000, IndexIntervalBytes = 100 };

    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_ManyBatchesAcrossSegments_ReadsBackSameBytes(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(SmallSegments);

        var stored = AppendMany(log, batchCount: 100);

        Assert.True(log.SegmentCount > 5, $"expected several segments, got {log.SegmentCount}");
        Assert.Equal(stored.Sum(batch => RecordCount(batch)), log.LogEndOffset);
        Assert.Equal(stored.SelectMany(batch => batch).ToArray(), ReadAllBytes(log));
        Assert.Equal(stored.Sum(batch => (long)batch.Length), log.SizeInBytes);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_SeveralBatchesAtOnce_AssignsConsecutiveOffsets(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();

        var first = log.Append(TestBatches.Concat(TestBatches.Create(3), TestBatches.Create(2)));
        var second = log.Append(TestBatches.Create(4));

        Assert.Equal((0, 4), (first.FirstOffset, first.LastOffset));
        Assert.Equal(5, first.RecordCount);
        Assert.Equal(-1, first.LogAppendTime);
        Assert.Equal((5, 8), (second.FirstOffset, second.LastOffset));
        Assert.Equal(9, log.LogEndOffset);
        Assert.Equal([0, 3, 5], TestBatches.ReadBaseOffsets(log, 0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_RewritesBaseOffsetInCallersBuffer_KeepsCrcValid(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();
        log.Append(TestBatches.Create(7));
        var batch = TestBatches.Create(2);

        log.Append(batch);

        RecordBatchHeader.TryRead(batch, out var header);
        Assert.Equal(7, header.BaseOffset);
        Assert.True(BatchCrc.IsValid(batch));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Append_NotWholeBatches_ThrowsAndKeepsLog(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();
        var batch = TestBatches.Create(2);

        Assert.Throws<ArgumentException>(() => log.Append(batch.AsSpan(0, batch.Length - 1)));
        Assert.Throws<ArgumentException>(() => log.Append(TestBatches.Concat(batch, batch[..30])));
        Assert.Throws<ArgumentException>(() => log.Append([]));

        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(0, log.SizeInBytes);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Read_OffsetInsideBatch_ReturnsBatchContainingIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(SmallSegments);
        AppendMany(log, batchCount: 60);

        for (var offset = 0L; offset < log.LogEndOffset; offset++)
        {
            using var result = log.Read(offset, maxBytes: 1);
            var header = Assert.Single(TestBatches.Parse(result.Records));
            Assert.InRange(offset, header.BaseOffset, header.LastOffset);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Read_MaxBytes_ReturnsOnlyWholeBatchesThatFit(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();
        var batches = Enumerable.Range(0, 5).Select(_ => TestBatches.Create(2)).ToArray();
        foreach (var batch in batches)
        {
            log.Append(batch);
        }

        var size = batches[0].Length;

        Assert.Equal([0, 2], TestBatches.ReadBaseOffsets(log, 0, maxBytes: (2 * size) + size - 1));
        Assert.Equal([0, 2, 4], TestBatches.ReadBaseOffsets(log, 1, maxBytes: 3 * size));
        Assert.Equal([6, 8], TestBatches.ReadBaseOffsets(log, 7, maxBytes: int.MaxValue));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Read_FirstBatchLargerThanMaxBytes_ReturnsItWholeUnlessMinOneBatchIsOff(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();
        var big = TestBatches.Create(50, valueSize: 100);
        log.Append(big);
        log.Append(TestBatches.Create(1));

        using var result = log.Read(10, maxBytes: 100);
        using var none = log.Read(10, maxBytes: 100, minOneBatch: false);

        Assert.Equal(big, result.Records.ToArray());
        Assert.True(none.Records.IsEmpty);
        Assert.False(none.IsOffsetOutOfRange);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Read_MaxOffsetExclusive_StopsBeforeBatchReachingIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();
        for (var i = 0; i < 4; i++)
        {
            log.Append(TestBatches.Create(3));
        }

        Assert.Equal([0, 3], TestBatches.ReadBaseOffsets(log, 0, maxOffsetExclusive: 6));
        Assert.Equal([0], TestBatches.ReadBaseOffsets(log, 0, maxOffsetExclusive: 5));
        Assert.Empty(TestBatches.ReadBaseOffsets(log, 6, maxOffsetExclusive: 6));
        Assert.Empty(TestBatches.ReadBaseOffsets(log, 3, maxOffsetExclusive: 4));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Read_OutsideLog_ReportsOutOfRangeButEndOffsetIsEmpty(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();
        log.Append(TestBatches.Create(3));
        log.Append(TestBatches.Create(3));
        log.DeleteRecordsBefore(3);

        Assert.True(log.Read(2, 1000).IsOffsetOutOfRange);
        Assert.True(log.Read(7, 1000).IsOffsetOutOfRange);
        using var atEnd = log.Read(6, 1000);
        Assert.False(atEnd.IsOffsetOutOfRange);
        Assert.True(atEnd.Records.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_AfterClose_ServesSameBytesAndContinuesOffsets(string kind)
    {
        using var context = new StorageTestContext(kind);
        byte[] before;
        List<long> segmentsBefore;
        long endBefore;
        using (var log = context.Open(SmallSegments))
        {
            AppendMany(log, batchCount: 50);
            before = ReadAllBytes(log);
            segmentsBefore = [.. log.SegmentBaseOffsets];
            endBefore = log.LogEndOffset;
        }

        using var reopened = context.Open(SmallSegments);

        Assert.Equal(endBefore, reopened.LogEndOffset);
        Assert.Equal(0, reopened.LogStartOffset);
        Assert.Equal(segmentsBefore, reopened.SegmentBaseOffsets);
        Assert.Equal(before, ReadAllBytes(reopened));
        Assert.Equal(endBefore, reopened.Append(TestBatches.Create(2)).FirstOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_Empty_StartsAtZeroWithOneSegment(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open();

        Assert.Equal((0, 0, 1), (log.LogStartOffset, log.LogEndOffset, log.SegmentCount));
        Assert.Equal((-1, -1), log.MaxTimestamp);
        Assert.Null(log.FindOffsetForTimestamp(0));
        using var result = log.Read(0, 1000);
        Assert.True(result.Records.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Read_ConcurrentWithAppendsRollsAndRetention_SeesOnlyWholeBatches(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { SegmentBytes = 4_000, IndexIntervalBytes = 200, RetentionBytes = 12_000 });
        const int Appends = 800;
        var done = 0;

        var writer = Task.Run(() =>
        {
            for (var i = 0; i < Appends; i++)
            {
                log.Append(TestBatches.Create((i % 5) + 1, fill: (byte)i));
                log.EnforceRetention();
            }

            Volatile.Write(ref done, 1);
        });

        var readers = Enumerable.Range(0, 3).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            var reads = 0;
            while (Volatile.Read(ref done) == 0 || reads == 0)
            {
                var start = log.LogStartOffset;
                var end = log.LogEndOffset;
                if (end == start)
                {
                    continue;
                }

                var offset = start + random.NextInt64(end - start);
                using var result = log.Read(offset, maxBytes: random.Next(1, 700));
                if (result.IsOffsetOutOfRange)
                {
                    Assert.True(offset < log.LogStartOffset);
                    continue;
                }

                var headers = TestBatches.Parse(result.Records);
                Assert.NotEmpty(headers);
                Assert.InRange(offset, headers[0].BaseOffset, headers[0].LastOffset);
                for (var i = 1; i < headers.Count; i++)
                {
                    Assert.Equal(headers[i - 1].LastOffset + 1, headers[i].BaseOffset);
                }

                Assert.True(headers[^1].LastOffset < log.LogEndOffset);
                reads++;
            }

            return reads;
        })).ToArray();

        await writer.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        var reads = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        Assert.All(reads, count => Assert.True(count > 0));
        Assert.True(log.LogStartOffset > 0, "retention should have deleted segments while readers ran");
        Assert.Equal(log.LogEndOffset - log.LogStartOffset, TestBatches.ReadAll(log).Sum(header => (long)header.RecordCount));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Read_AfterDispose_ThrowsObjectDisposed(string kind)
    {
        using var context = new StorageTestContext(kind);
        var log = context.Open();
        log.Append(TestBatches.Create(1));
        log.Dispose();

        Assert.Throws<ObjectDisposedException>(() => log.Read(0, 100));
        Assert.Throws<ObjectDisposedException>(() => log.Append(TestBatches.Create(1)));
        log.Dispose();
    }

    [Fact]
    public void Read_FileStorage_ReturnsPooledBufferReleasedOnDispose()
    {
        using var context = new StorageTestContext(StorageTestContext.File);
        using var log = context.Open();
        var batch = TestBatches.Create(3);
        log.Append(batch);

        var result = log.Read(0, 10_000);
        Assert.Equal(batch, result.Records.ToArray());
        result.Dispose();
        result.Dispose();
    }

    [Fact]
    public void Config_InvalidValue_ThrowsNamingIt()
    {
        using var context = new StorageTestContext(StorageTestContext.Memory);
        using var log = context.Open();

        var error = Assert.Throws<ArgumentException>(() => log.Config = new LogConfig { SegmentBytes = 0 });

        Assert.Contains("SegmentBytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(LogConfig.DefaultSegmentBytes, log.Config.SegmentBytes);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FlushIfDue_AfterFlushMs_FlushesOnce(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { FlushMs = 1_000 });
        log.Append(TestBatches.Create(1));

        Assert.False(log.FlushIfDue());
        context.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(log.FlushIfDue());
        Assert.False(log.FlushIfDue());
    }

    /// <summary>Appends batches of 1-5 records and returns them as stored (offsets assigned in place).</summary>
    internal static List<byte[]> AppendMany(PartitionLog log, int batchCount, long firstTimestamp = 1_000)
    {
        var stored = new List<byte[]>();
        for (var i = 0; i < batchCount; i++)
        {
            var batch = TestBatches.Create((i % 5) + 1, firstTimestamp: firstTimestamp + (i * 10), valueSize: 5 + (i % 7), fill: (byte)i);
            log.Append(batch);
            stored.Add(batch);
        }

        return stored;
    }

    internal static byte[] ReadAllBytes(PartitionLog log, int maxBytes = 300)
    {
        var bytes = new List<byte>();
        var next = log.LogStartOffset;
        while (next < log.LogEndOffset)
        {
            using var result = log.Read(next, maxBytes);
            var headers = TestBatches.Parse(result.Records);
            bytes.AddRange(result.Records.ToArray());
            next = headers[^1].LastOffset + 1;
        }

        return [.. bytes];
    }

    private static long RecordCount(byte[] batch)
    {
        RecordBatchHeader.TryRead(batch, out var header);
        return header.RecordCount;
    }
}

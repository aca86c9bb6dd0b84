using Samsa.Broker.Storage;
using Samsa.Protocol.Records;
using static Samsa.Broker.Tests.Storage.CompactionTestData;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Log compaction, the same on memory and on disk.</summary>
public sealed class PartitionLogCompactionTests
{
    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    public static TheoryData<string, CompressionType> KindsAndCodecs => new()
    {
        { StorageTestContext.Memory, CompressionType.Snappy },
        { StorageTestContext.Memory, CompressionType.Zstd },
        { StorageTestContext.File, CompressionType.Snappy },
        { StorageTestContext.File, CompressionType.Zstd },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_ManyUpdatesToFewKeys_KeepsLatestPerKeyAtOriginalOffsets(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted());
        for (var i = 0; i < 200; i++)
        {
            log.Append(Batch(context.NowMs, ($"k{i % 5}", $"v{i}")));
        }

        var before = ReadRecords(log);
        var activeBase = log.SegmentBaseOffsets[^1];
        var segmentCount = log.SegmentCount;
        var bytes = log.SizeInBytes;
        Assert.True(segmentCount > 5);

        var result = log.Compact();

        Assert.True(result.Ran);
        Assert.True(result.RecordsDropped > 0);
        var after = ReadRecords(log);
        Assert.Equal(Compacted(before, activeBase), after);
        Assert.Equal(after.Select(r => r.Offset).Order(), after.Select(r => r.Offset));
        Assert.Equal((0, 200), (log.LogStartOffset, log.LogEndOffset));
        Assert.True(log.SizeInBytes < bytes / 2, $"{log.SizeInBytes} bytes left of {bytes}");
        Assert.True(log.SegmentCount < segmentCount);

        // Appends carry on after the rewritten segments.
        Assert.Equal(200, log.Append(Batch(context.NowMs, ("k0", "new"))).FirstOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_ActiveSegment_IsNotTouched(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted());
        for (var i = 0; i < 60; i++)
        {
            log.Append(Batch(context.NowMs, ("same", $"v{i}")));
        }

        var activeBase = log.SegmentBaseOffsets[^1];
        var activeBefore = ReadActive(log, activeBase);

        log.Compact();

        Assert.Equal(activeBase, log.SegmentBaseOffsets[^1]);
        Assert.Equal(activeBefore, ReadActive(log, activeBase));
        var records = ReadRecords(log);
        Assert.Single(records, r => r.Offset < activeBase);
        Assert.Equal(records.Where(r => r.Offset >= activeBase).Count(), (int)(log.LogEndOffset - activeBase));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_Tombstone_KeptForDeleteRetentionThenRemoved(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted() with { DeleteRetentionMs = 3_600_000 });
        log.Append(Batch(context.NowMs, ("gone", "1"), ("kept", "1")));
        log.Append(Batch(context.NowMs, ("gone", null)));
        for (var i = 0; i < 40; i++)
        {
            log.Append(Batch(context.NowMs, ($"filler{i % 4}", $"v{i}")));
        }

        Assert.Contains((2L, "gone", (string?)null), ReadRecords(log));
        Assert.True(log.Compact().Ran);
        var firstPass = ReadRecords(log);
        Assert.Contains((2L, "gone", (string?)null), firstPass);
        Assert.DoesNotContain(firstPass, r => r is { Key: "gone", Value: "1" });

        context.Time.Advance(TimeSpan.FromMinutes(59));
        log.Compact();
        Assert.Contains((2L, "gone", (string?)null), ReadRecords(log));

        context.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(log.Compact().Ran);
        var finalPass = ReadRecords(log);
        Assert.DoesNotContain(finalPass, r => r.Key == "gone");
        Assert.Contains((1L, "kept", (string?)"1"), finalPass);
    }

    [Theory]
    [MemberData(nameof(KindsAndCodecs))]
    public void Compact_CompressedBatches_FilteredAndRecompressedWithTheirCodec(string kind, CompressionType codec)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted(segmentBytes: 2_000));
        for (var i = 0; i < 40; i++)
        {
            log.Append(Batch(context.NowMs, codec, [.. Enumerable.Range(0, 10).Select(j => ($"k{(i + j) % 7}", (string?)$"value-{i}-{j}-{new string('x', 40)}"))]));
        }

        var before = ReadRecords(log);
        var activeBase = log.SegmentBaseOffsets[^1];

        Assert.True(log.Compact().Ran);

        Assert.Equal(Compacted(before, activeBase), ReadRecords(log));
        var batches = ReadBatches(log);
        Assert.All(batches, batch => Assert.Equal(codec, batch.Header.Compression));

        // A rewritten batch keeps its original offset range, so the next batch follows on.
        for (var i = 1; i < batches.Count; i++)
        {
            Assert.Equal(batches[i - 1].Header.LastOffset + 1, batches[i].Header.BaseOffset);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_AbortedTransaction_RemovesItsRecordsAndKeepsMarkers(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted());
        log.Append(TransactionalBatch(7, context.NowMs, ("aborted", "a1"), ("shared", "from-aborted")));
        log.Append(ControlRecord.CreateEndTransactionBatch(ControlRecordType.Abort, 7, 0, 0, context.NowMs));
        log.Append(TransactionalBatch(8, context.NowMs, ("committed", "c1")));
        log.Append(ControlRecord.CreateEndTransactionBatch(ControlRecordType.Commit, 8, 0, 0, context.NowMs));
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batch(context.NowMs, ($"filler{i % 3}", $"v{i}")));
        }

        Assert.True(log.Compact(isAborted: (producerId, offset) => producerId == 7 && offset < 2).Ran);

        var records = ReadRecords(log);
        Assert.DoesNotContain(records, r => r.Key is "aborted" or "shared");
        Assert.Contains((3L, "committed", (string?)"c1"), records);
        Assert.Equal(2, ReadBatches(log).Count(batch => batch.Header.IsControl));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_DirtyBelowMinCleanableRatio_DoesNothing(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted());
        for (var i = 0; i < 60; i++)
        {
            log.Append(Batch(context.NowMs, ($"k{i}", $"v{i}")));
        }

        Assert.True(log.Compact().Ran);

        // A little new dirty data against a larger clean part: below the 0.5 default, nothing runs.
        for (var i = 0; i < 15; i++)
        {
            log.Append(Batch(context.NowMs, ($"k{i}", $"w{i}")));
        }

        var before = ReadRecords(log);
        Assert.False(log.Compact().Ran);
        Assert.Equal(before, ReadRecords(log));
        Assert.True(log.Compact(force: true).Ran);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_RecordsNewerThanMinCompactionLag_WaitForIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted() with { MinCompactionLagMs = 60_000 });
        for (var i = 0; i < 40; i++)
        {
            log.Append(Batch(context.NowMs, ($"k{i % 3}", $"v{i}")));
        }

        Assert.False(log.Compact().Ran);

        context.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(log.Compact().Ran);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_OffsetLimit_LeavesSegmentsReachingIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted());
        for (var i = 0; i < 60; i++)
        {
            log.Append(Batch(context.NowMs, ("same", $"v{i}")));
        }

        var secondBase = log.SegmentBaseOffsets[1];
        log.Compact(maxOffsetExclusive: secondBase);

        // Only the first segment could be cleaned: its records are all superseded within it but the last.
        var records = ReadRecords(log);
        Assert.Single(records, r => r.Offset < secondBase);
        Assert.Equal(Enumerable.Range((int)secondBase, (int)(log.LogEndOffset - secondBase)).Select(o => (long)o), records.Where(r => r.Offset >= secondBase).Select(r => r.Offset));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_DeletePolicyOnly_DoesNothing(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted() with { Compact = false, Delete = true });
        for (var i = 0; i < 40; i++)
        {
            log.Append(Batch(context.NowMs, ("same", $"v{i}")));
        }

        Assert.False(log.Compact(force: true).Ran);
        Assert.Equal(40, ReadRecords(log).Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EnforceRetention_CompactOnlyPolicy_KeepsOldSegments(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted() with { RetentionMs = 1_000 });
        for (var i = 0; i < 40; i++)
        {
            log.Append(Batch(context.NowMs, ($"k{i}", "v")));
        }

        context.Time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(0, log.EnforceRetention());

        log.Config = log.Config with { Delete = true };
        Assert.True(log.EnforceRetention() > 0);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Housekeeping_CompactAndDeletePolicy_AppliesBoth(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted() with { Delete = true, RetentionMs = 3_600_000 });
        for (var i = 0; i < 40; i++)
        {
            log.Append(Batch(context.NowMs, ($"old{i % 3}", $"v{i}")));
        }

        context.Time.Advance(TimeSpan.FromHours(2));
        for (var i = 0; i < 40; i++)
        {
            log.Append(Batch(context.NowMs, ($"new{i % 3}", $"v{i}")));
        }

        Assert.True(log.EnforceRetention() > 0);
        Assert.True(log.Compact().Ran);

        // Retention took the segments written two hours ago; compaction deduplicated what is left.
        var records = ReadRecords(log);
        Assert.True(log.LogStartOffset > 0);
        Assert.All(records, r => Assert.True(r.Offset >= log.LogStartOffset));
        var closedNew = records.Where(r => r.Key!.StartsWith("new", StringComparison.Ordinal) && r.Offset < log.SegmentBaseOffsets[^1]).ToList();
        Assert.Equal(closedNew.Select(r => r.Key).Distinct().Count(), closedNew.Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_AfterCompaction_KeepsCompactedLogAndCheckpoint(string kind)
    {
        using var context = new StorageTestContext(kind);
        List<(long, string?, string?)> compacted;
        using (var log = context.Open(Compacted()))
        {
            for (var i = 0; i < 80; i++)
            {
                log.Append(Batch(context.NowMs, ($"k{i % 4}", $"v{i}")));
            }

            log.Compact();
            compacted = ReadRecords(log);
        }

        using var reopened = context.Open(Compacted());
        Assert.Equal(compacted, ReadRecords(reopened));
        Assert.Equal(80, reopened.LogEndOffset);

        // Nothing dirty was added: the checkpoint says so, and only the tombstone check reads the clean part.
        Assert.Equal(0, reopened.Compact().SegmentsRewritten);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_CommittedSwapLeftByCrash_InstallsIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        List<(long, string?, string?)> expected;
        using (var compacted = context.Open(Compacted(), partition: 0))
        using (var crashed = context.Open(Compacted(), partition: 1))
        {
            foreach (var log in new[] { compacted, crashed })
            {
                for (var i = 0; i < 80; i++)
                {
                    // Every third key is unique, so no segment empties and both logs keep the same segments.
                    log.Append(Batch(context.NowMs, (i % 3 == 0 ? $"unique{i}" : $"k{i % 4}", $"v{i}")));
                }
            }

            compacted.Compact();
            Assert.Equal(crashed.SegmentBaseOffsets, compacted.SegmentBaseOffsets);
            expected = ReadRecords(compacted);
        }

        // The crash came after the swap files were committed and before any was installed.
        var source = context.Storage.OpenDirectory(new LogPartitionName("t", 0));
        var target = context.Storage.OpenDirectory(new LogPartitionName("t", 1));
        var baseOffsets = source.ListFiles().Where(f => f.EndsWith(".log", StringComparison.Ordinal)).Order().ToList();
        foreach (var file in baseOffsets.SkipLast(1))
        {
            Copy(source, file, target, file + ".swap");
            Copy(source, file.Replace(".log", ".index", StringComparison.Ordinal), target, file.Replace(".log", ".index.cleaned", StringComparison.Ordinal));
        }

        using var recovered = context.Open(Compacted(), partition: 1);
        Assert.Equal(expected, ReadRecords(recovered));
        Assert.DoesNotContain(target.ListFiles(), f => f.EndsWith(".swap", StringComparison.Ordinal) || f.EndsWith(".cleaned", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_UnfinishedCleanedFilesLeftByCrash_DiscardsThem(string kind)
    {
        using var context = new StorageTestContext(kind);
        List<(long, string?, string?)> expected;
        using (var log = context.Open(Compacted()))
        {
            for (var i = 0; i < 40; i++)
            {
                log.Append(Batch(context.NowMs, ($"k{i % 4}", $"v{i}")));
            }

            expected = ReadRecords(log);
        }

        // A pass that died while writing: a half-written replacement of the first segment.
        var directory = context.Storage.OpenDirectory(new LogPartitionName("t", 0));
        using (var cleaned = directory.Open("00000000000000000000.log.cleaned"))
        {
            cleaned.Append(Batch(context.NowMs, ("k0", "partial")).AsSpan(0, 30));
        }

        using var reopened = context.Open(Compacted());
        Assert.Equal(expected, ReadRecords(reopened));
        Assert.DoesNotContain(directory.ListFiles(), f => f.EndsWith(".cleaned", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Compact_KeyMapBudget_CleansInSeveralPasses(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted() with { CleanerKeyMapBytes = 1 });
        for (var i = 0; i < 80; i++)
        {
            log.Append(Batch(context.NowMs, ($"k{i % 4}", $"v{i}")));
        }

        var before = ReadRecords(log);
        var activeBase = log.SegmentBaseOffsets[^1];
        var closed = log.SegmentCount - 1;

        // One dirty segment per pass: the first pass reads only the first segment's keys.
        Assert.Equal(1, log.Compact().SegmentsCleaned);
        var passes = 1;
        while (log.Compact(force: true).Ran && passes < 100)
        {
            passes++;
        }

        Assert.True(passes >= closed / 2, $"{passes} passes for {closed} closed segments");
        Assert.Equal(Compacted(before, activeBase), ReadRecords(log));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Compact_WhileReadersFetch_ReadersSeeWholeValidBatches(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(Compacted());
        for (var i = 0; i < 300; i++)
        {
            log.Append(Batch(context.NowMs, ($"k{i % 5}", $"v{i}")));
        }

        using var stop = new CancellationTokenSource();
        using var started = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var reads = 0;
            do
            {
                Assert.NotEmpty(ReadBatches(log));
                if (reads++ == 0)
                {
                    started.Signal();
                }
            }
            while (!stop.IsCancellationRequested);

            return reads;
        })).ToArray();

        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));

        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 60; i++)
            {
                log.Append(Batch(context.NowMs, ($"k{i % 5}", $"r{round}-{i}")));
            }

            log.Compact(force: true);
        }

        await stop.CancelAsync();
        var counts = await Task.WhenAll(readers);
        Assert.All(counts, count => Assert.True(count > 0));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AppendWithOffsets_CopyOfCompactedLog_KeepsItsGaps(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var leader = context.Open(Compacted(), partition: 0);
        using var follower = context.Open(Compacted(), partition: 1);
        for (var i = 0; i < 60; i++)
        {
            leader.Append(Batch(context.NowMs, (i % 10 == 0 ? $"once{i}" : $"k{i % 3}", $"v{i}")));
        }

        leader.Compact();
        var next = leader.LogStartOffset;
        while (next < leader.LogEndOffset)
        {
            using var read = leader.Read(next, 500);
            follower.AppendWithOffsets(read.Records.Span);
            next = follower.LogEndOffset;
        }

        Assert.Equal(ReadRecords(leader), ReadRecords(follower));
        Assert.Equal(leader.LogEndOffset, follower.LogEndOffset);
        Assert.Throws<ArgumentException>(() => follower.AppendWithOffsets(Batch(context.NowMs, ("late", "x"))));
    }

    private static byte[] ReadActive(PartitionLog log, long activeBase)
    {
        using var result = log.Read(activeBase, int.MaxValue);
        return result.Records.ToArray();
    }

    private static void Copy(ILogDirectory source, string sourceName, ILogDirectory target, string targetName)
    {
        using var from = source.Open(sourceName);
        var bytes = new byte[from.Length];
        from.Read(0, bytes);
        using var to = target.Open(targetName);
        to.Truncate(0);
        to.Append(bytes);
        to.Flush();
    }
}

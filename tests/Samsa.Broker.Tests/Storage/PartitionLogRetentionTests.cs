using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Retention, DeleteRecords and truncation, the same on memory and on disk.</summary>
public sealed class PartitionLogRetentionTests
{
    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EnforceRetention_SegmentsOlderThanRetentionMs_DeletesThemOnly(string kind)
    {
        using var context = new StorageTestContext(kind);
        var hour = TimeSpan.FromHours(1);
        using var log = context.Open(new LogConfig { SegmentBytes = 300, RetentionMs = (long)(2 * hour).TotalMilliseconds });

        // Three segments written an hour apart (records stamped with the clock), plus the active one.
        for (var segment = 0; segment < 3; segment++)
        {
            if (segment > 0)
            {
                context.Time.Advance(hour);
            }

            AppendSegment(log, context.NowMs);
        }

        Assert.Equal(0, log.EnforceRetention());

        context.Time.Advance(TimeSpan.FromMinutes(1));
        var baseOffsets = log.SegmentBaseOffsets;
        Assert.Equal(1, log.EnforceRetention());
        Assert.Equal(baseOffsets.Skip(1), log.SegmentBaseOffsets);
        Assert.Equal(baseOffsets[1], log.LogStartOffset);

        context.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(baseOffsets.Count - 2, log.EnforceRetention());
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(log.SegmentBaseOffsets[0], log.LogStartOffset);
        Assert.NotEmpty(TestBatches.ReadAll(log));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EnforceRetention_OnlyActiveSegmentExpired_KeepsIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { RetentionMs = 1_000 });
        log.Append(TestBatches.Create(3, firstTimestamp: context.NowMs));
        context.Time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, log.EnforceRetention());
        Assert.Equal((0, 3), (log.LogStartOffset, log.LogEndOffset));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EnforceRetention_OverRetentionBytes_DeletesOldestWhileLogStaysAtLeastThatBig(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { SegmentBytes = 500, RetentionMs = -1 });
        for (var i = 0; i < 40; i++)
        {
            log.Append(TestBatches.Create(3, firstTimestamp: context.NowMs));
        }

        var segmentCount = log.SegmentCount;
        var sizes = SegmentSizes(log);
        log.Config = log.Config with { RetentionBytes = log.SizeInBytes - sizes[0] - sizes[1] + 1 };

        Assert.Equal(1, log.EnforceRetention());
        Assert.Equal(segmentCount - 1, log.SegmentCount);
        Assert.True(log.SizeInBytes >= log.Config.RetentionBytes);

        log.Config = log.Config with { RetentionBytes = 0 };
        Assert.Equal(segmentCount - 2, log.EnforceRetention());
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(log.SegmentBaseOffsets[0], log.LogStartOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EnforceRetention_MaxOffsetExclusive_KeepsSegmentsReachingIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { SegmentBytes = 300, RetentionBytes = 0 });
        for (var i = 0; i < 20; i++)
        {
            log.Append(TestBatches.Create(2));
        }

        var baseOffsets = log.SegmentBaseOffsets;

        Assert.Equal(1, log.EnforceRetention(maxOffsetExclusive: baseOffsets[2] - 1));
        Assert.Equal(baseOffsets[1], log.LogStartOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DeleteRecordsBefore_MidLog_MovesStartDeletesSegmentsBelowAndSurvivesReopen(string kind)
    {
        using var context = new StorageTestContext(kind);
        var config = new LogConfig { SegmentBytes = 300 };
        IReadOnlyList<long> baseOffsets;
        using (var log = context.Open(config))
        {
            for (var i = 0; i < 20; i++)
            {
                log.Append(TestBatches.Create(2));
            }

            baseOffsets = log.SegmentBaseOffsets;
            var target = baseOffsets[2] + 1;

            log.DeleteRecordsBefore(target);
            log.DeleteRecordsBefore(target - 1);

            Assert.Equal(target, log.LogStartOffset);
            Assert.Equal(baseOffsets.Skip(2), log.SegmentBaseOffsets);
            Assert.True(log.Read(target - 1, 1000).IsOffsetOutOfRange);
            using var result = log.Read(target, 1000);
            Assert.InRange(target, TestBatches.Parse(result.Records)[0].BaseOffset, TestBatches.Parse(result.Records)[0].LastOffset);
            Assert.Throws<ArgumentOutOfRangeException>(() => log.DeleteRecordsBefore(log.LogEndOffset + 1));
        }

        using var reopened = context.Open(config);
        Assert.Equal(baseOffsets[2] + 1, reopened.LogStartOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DeleteRecordsBefore_LogEndOffset_EmptiesReadsAndKeepsActiveSegment(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { SegmentBytes = 300 });
        for (var i = 0; i < 10; i++)
        {
            log.Append(TestBatches.Create(2));
        }

        log.DeleteRecordsBefore(log.LogEndOffset);

        Assert.Equal(log.LogEndOffset, log.LogStartOffset);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(20, log.Append(TestBatches.Create(1)).FirstOffset);
        Assert.Equal([20], TestBatches.ReadBaseOffsets(log, 20));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Truncate_MidBatchInEarlierSegment_DropsThatBatchAndAllAfter(string kind)
    {
        using var context = new StorageTestContext(kind);
        var config = new LogConfig { SegmentBytes = 300, IndexIntervalBytes = 50 };
        using (var log = context.Open(config))
        {
            for (var i = 0; i < 30; i++)
            {
                log.Append(TestBatches.Create(3, firstTimestamp: 1_000 + (i * 10)));
            }

            var segmentCount = log.SegmentCount;

            log.Truncate(31);

            Assert.Equal(30, log.LogEndOffset);
            Assert.True(log.SegmentCount < segmentCount);
            Assert.Equal(1_000 + 90 + 2, log.MaxTimestamp.Timestamp);
            Assert.Equal(30, log.Append(TestBatches.Create(2, firstTimestamp: 5)).FirstOffset);
            Assert.Equal(Enumerable.Range(0, 11).Select(i => i * 3L), TestBatches.ReadAll(log).Select(h => h.BaseOffset));
        }

        using var reopened = context.Open(config);
        Assert.Equal(32, reopened.LogEndOffset);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => i * 3L), TestBatches.ReadAll(reopened).Select(h => h.BaseOffset));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Truncate_AtSegmentBaseOrEnd_LeavesExactlyTheRecordsBefore(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var log = context.Open(new LogConfig { SegmentBytes = 300 });
        for (var i = 0; i < 20; i++)
        {
            log.Append(TestBatches.Create(2));
        }

        var baseOffsets = log.SegmentBaseOffsets;

        log.Truncate(log.LogEndOffset);
        Assert.Equal(40, log.LogEndOffset);

        log.Truncate(baseOffsets[2]);
        Assert.Equal(baseOffsets[2], log.LogEndOffset);
        Assert.Equal(baseOffsets.Take(3), log.SegmentBaseOffsets);
        Assert.Equal(baseOffsets[2], log.Append(TestBatches.Create(1)).FirstOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Truncate_BelowLogStartOffset_EmptiesLogStartingThere(string kind)
    {
        using var context = new StorageTestContext(kind);
        var config = new LogConfig { SegmentBytes = 300 };
        using (var log = context.Open(config))
        {
            for (var i = 0; i < 20; i++)
            {
                log.Append(TestBatches.Create(2));
            }

            log.DeleteRecordsBefore(30);

            log.Truncate(25);

            Assert.Equal((25, 25, 1), (log.LogStartOffset, log.LogEndOffset, log.SegmentCount));
            Assert.Equal(25, log.Append(TestBatches.Create(1)).FirstOffset);
        }

        using var reopened = context.Open(config);
        Assert.Equal((25, 26), (reopened.LogStartOffset, reopened.LogEndOffset));
    }

    private static void AppendSegment(PartitionLog log, long timestamp)
    {
        var segments = log.SegmentCount;
        while (log.SegmentCount == segments)
        {
            log.Append(TestBatches.Create(2, firstTimestamp: timestamp));
        }
    }

    private static List<long> SegmentSizes(PartitionLog log)
    {
        // Sizes from what reads return: every batch belongs to the segment whose range holds its base offset.
        var baseOffsets = log.SegmentBaseOffsets;
        var sizes = new long[baseOffsets.Count];
        foreach (var header in TestBatches.ReadAll(log))
        {
            var segment = baseOffsets.Count(b => b <= header.BaseOffset) - 1;
            sizes[segment] += header.TotalSize;
        }

        return [.. sizes];
    }
}

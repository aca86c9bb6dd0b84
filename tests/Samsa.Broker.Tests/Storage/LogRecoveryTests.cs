using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

/// <summary>Opening logs after clean and unclean shutdowns: torn tails, damaged batches, lost indexes.</summary>
public sealed class LogRecoveryTests
{
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 400, IndexIntervalBytes = 100 };

    /// <summary>Each storage with cuts that end inside the last batch's records and inside its header.</summary>
    public static TheoryData<string, int> KindsAndCuts => new()
    {
        { StorageTestContext.Memory, 1 },
        { StorageTestContext.Memory, 60 },
        { StorageTestContext.File, 10 },
        { StorageTestContext.File, 94 },
    };

    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    [Theory]
    [MemberData(nameof(KindsAndCuts))]
    public void Open_LastSegmentCutMidBatch_KeepsWholeBatchesAndContinuesOffsets(string kind, int bytesCut)
    {
        using var context = new StorageTestContext(kind);
        var batchSize = WriteBatches(context, LogConfig.Default, count: 10);
        var directory = DirectoryOf(context);
        using (var file = directory.Open(LogFileNames.Log(0)))
        {
            file.Truncate(file.Length - bytesCut);
        }

        using var log = context.Open();

        Assert.Equal(18, log.LogEndOffset);
        Assert.Equal(9L * batchSize, log.SizeInBytes);
        Assert.Contains(context.Logger.Entries, entry => entry.EventId.Id == 3001);
        Assert.Equal(18, log.Append(TestBatches.Create(2)).FirstOffset);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2L * i), TestBatches.ReadAll(log).Select(header => header.BaseOffset));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_CorruptByteInLastBatch_DropsThatBatch(string kind)
    {
        using var context = new StorageTestContext(kind);
        var batchSize = WriteBatches(context, LogConfig.Default, count: 10);

        FlipByte(DirectoryOf(context), LogFileNames.Log(0), (10L * batchSize) - 3);
        using var log = context.Open();

        Assert.Equal(18, log.LogEndOffset);
        var warning = Assert.Single(context.Logger.Entries, entry => entry.EventId.Id == 3001);
        Assert.Contains("CRC", warning.Message, StringComparison.Ordinal);
        Assert.Equal(18, log.Append(TestBatches.Create(1)).FirstOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_DamagedBatchLength_DropsFromThatBatchOn(string kind)
    {
        using var context = new StorageTestContext(kind);
        var batchSize = WriteBatches(context, LogConfig.Default, count: 10);

        FlipByte(DirectoryOf(context), LogFileNames.Log(0), (6L * batchSize) + 8);
        using var log = context.Open();

        Assert.Equal(12, log.LogEndOffset);
        Assert.Equal(6L * batchSize, log.SizeInBytes);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_UncleanShutdownWithDamagedMiddleSegment_CutsThereAndDeletesLaterSegments(string kind)
    {
        using var context = new StorageTestContext(kind);
        var batchSize = WriteBatches(context, SmallSegments, count: 30);
        var directory = DirectoryOf(context);
        var segments = SegmentFiles(directory);
        Assert.True(segments.Count > 4);
        var damaged = segments[2];
        using (var file = directory.Open(LogFileNames.Log(damaged)))
        {
            Assert.Equal(4L * batchSize, file.Length);
        }

        directory.Delete(LogFileNames.CleanShutdown);
        FlipByte(directory, LogFileNames.Log(damaged), (3L * batchSize) + 70);
        using var log = context.Open(SmallSegments);

        Assert.Equal(damaged + 6, log.LogEndOffset);
        Assert.Equal(segments.Take(3), log.SegmentBaseOffsets);
        Assert.Equal(segments.Take(3), SegmentFiles(directory));
        Assert.Contains(context.Logger.Entries, entry => entry.EventId.Id == 3002);
        Assert.Equal(damaged + 6, log.Append(TestBatches.Create(2)).FirstOffset);
        Assert.Equal(damaged + 8, TestBatches.ReadAll(log).Sum(header => (long)header.RecordCount));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Dispose_ThenOpen_WritesCleanMarkerAndRemovesItWhileOpen(string kind)
    {
        using var context = new StorageTestContext(kind);
        WriteBatches(context, LogConfig.Default, count: 1);
        var directory = DirectoryOf(context);
        Assert.True(directory.Exists(LogFileNames.CleanShutdown));

        using var log = context.Open();

        Assert.False(directory.Exists(LogFileNames.CleanShutdown));
        Assert.Contains(context.Logger.Entries, entry => entry.EventId.Id == 3000 && entry.Message.Contains("True", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_IndexFilesDeleted_RebuildsIdenticalIndexes(string kind)
    {
        using var context = new StorageTestContext(kind);
        WriteBatches(context, SmallSegments, count: 40, timestamps: true);
        var directory = DirectoryOf(context);
        var indexFiles = directory.ListFiles()
            .Where(name => name.EndsWith(LogFileNames.IndexSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileNames.TimeIndexSuffix, StringComparison.Ordinal))
            .ToDictionary(name => name, name => ReadFile(directory, name));
        Assert.Contains(indexFiles.Values, content => content.Length > 0);
        byte[] before;
        using (var log = context.Open(SmallSegments))
        {
            before = PartitionLogTests.ReadAllBytes(log);
        }

        foreach (var name in indexFiles.Keys)
        {
            directory.Delete(name);
        }

        using var reopened = context.Open(SmallSegments);

        Assert.All(indexFiles, file => Assert.Equal(file.Value, ReadFile(directory, file.Key)));
        Assert.Contains(context.Logger.Entries, entry => entry.EventId.Id == 3003);
        Assert.Equal(before, PartitionLogTests.ReadAllBytes(reopened));
        Assert.Equal((32, 1_400), reopened.FindOffsetForTimestamp(1_400));
        Assert.Equal((79, 1_976), reopened.MaxTimestamp);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_IndexWithPartialEntry_RebuildsIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        WriteBatches(context, SmallSegments, count: 40, timestamps: true);
        var directory = DirectoryOf(context);
        var index = LogFileNames.Index(SegmentFiles(directory)[1]);
        var original = ReadFile(directory, index);
        using (var file = directory.Open(index))
        {
            file.Append([1, 2, 3]);
        }

        using var log = context.Open(SmallSegments);

        Assert.Equal(original, ReadFile(directory, index));
        Assert.Single(context.Logger.Entries, entry => entry.EventId.Id == 3003);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_OrphanIndexAndTempFiles_DeletesThem(string kind)
    {
        using var context = new StorageTestContext(kind);
        WriteBatches(context, LogConfig.Default, count: 3);
        var directory = DirectoryOf(context);
        var orphan = LogFileNames.Index(12_345);
        using (var file = directory.Open(orphan))
        {
            file.Append([0, 0, 0, 1, 0, 0, 0, 2]);
        }

        directory.WriteSmallFile("log-start-offset.checkpoint.tmp", [1]);

        using var log = context.Open();

        Assert.False(directory.Exists(orphan));
        Assert.False(directory.Exists("log-start-offset.checkpoint.tmp"));
        Assert.Equal(6, log.LogEndOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Open_UnreadableLogStartCheckpoint_IgnoresIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        WriteBatches(context, LogConfig.Default, count: 3);
        DirectoryOf(context).WriteSmallFile(LogFileNames.LogStartOffsetCheckpoint, "not a number"u8);

        using var log = context.Open();

        Assert.Equal(0, log.LogStartOffset);
        Assert.Contains(context.Logger.Entries, entry => entry.EventId.Id == 3012);
    }

    [Fact]
    public void Open_DiskSegmentCutWithFileApi_RecoversAndKeepsFileNames()
    {
        using var context = new StorageTestContext(StorageTestContext.File);
        var batchSize = WriteBatches(context, LogConfig.Default, count: 4);
        var path = context.PathOf("00000000000000000000.log");
        Assert.Equal(4L * batchSize, new FileInfo(path).Length);
        Assert.True(File.Exists(context.PathOf("00000000000000000000.index")));
        Assert.True(File.Exists(context.PathOf("00000000000000000000.timeindex")));
        File.Delete(context.PathOf(".clean_shutdown"));
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength((3L * batchSize) + 20);
        }

        using var log = context.Open();

        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(3L * batchSize, new FileInfo(path).Length);
    }

    /// <summary>Appends <paramref name="count"/> batches of 2 records to t-0 and closes it; returns the size of one batch.</summary>
    private static int WriteBatches(StorageTestContext context, LogConfig config, int count, bool timestamps = false)
    {
        using var log = context.Open(config);
        var size = 0;
        for (var i = 0; i < count; i++)
        {
            var batch = TestBatches.Create(2, firstTimestamp: timestamps ? 1_000 + (25 * i) : 1_000, fill: (byte)i);
            log.Append(batch);
            size = batch.Length;
        }

        return size;
    }

    private static ILogDirectory DirectoryOf(StorageTestContext context) => context.Storage.OpenDirectory(new LogPartitionName("t", 0));

    private static List<long> SegmentFiles(ILogDirectory directory) =>
        [.. directory.ListFiles()
            .Select(name => LogFileNames.TryParseBaseOffset(name, LogFileNames.LogSuffix, out var baseOffset) ? baseOffset : -1)
            .Where(baseOffset => baseOffset >= 0)
            .Order()];

    private static byte[] ReadFile(ILogDirectory directory, string name)
    {
        using var file = directory.Open(name);
        var content = new byte[file.Length];
        Assert.Equal(content.Length, file.Read(0, content));
        return content;
    }

    /// <summary>Damages one byte through the storage's own file API, so the same test runs on memory and disk.</summary>
    private static void FlipByte(ILogDirectory directory, string name, long position)
    {
        var content = ReadFile(directory, name);
        content[position] ^= 0xFF;
        using var file = directory.Open(name);
        file.Truncate(0);
        file.Append(content);
    }
}

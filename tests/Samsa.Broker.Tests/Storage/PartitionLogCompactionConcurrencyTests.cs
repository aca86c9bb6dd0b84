using Samsa.Broker.Storage;
using static Samsa.Broker.Tests.Storage.CompactionTestData;

namespace Samsa.Broker.Tests.Storage;

/// <summary>
/// A compaction pass running beside the log's other operations, the same on memory and on disk:
/// appends and rolls go on during a pass; truncation, DeleteRecords and close wait for it (the
/// cleaner gate). Each pass is held up mid-build by a <see cref="CompactionBlocker"/>.
/// </summary>
public sealed class PartitionLogCompactionConcurrencyTests
{
    private static readonly TimeSpan Timeout = CompactionBlocker.Timeout;

    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Compact_AppendsRollSegmentsDuringPass_PassSwapsInAndEveryRecordStays(string kind)
    {
        using var held = HeldPass.Start(kind);
        var (context, storage, log, blocker, before, activeBase, pass) = held;
        var segmentsBefore = log.SegmentCount;

        // The pass holds closed segments; appends go to the active one and roll past it.
        AppendKeyed(log, context, 200, 100);
        Assert.True(log.SegmentCount >= segmentsBefore + 2, $"{log.SegmentCount} segments, {segmentsBefore} before");
        var rolledDuringPass = log.SegmentBaseOffsets.Where(offset => offset >= activeBase).ToList();
        var appended = ReadRecords(log).Where(r => r.Offset >= 200).ToList();
        Assert.Equal(100, appended.Count);

        blocker.Release();
        var result = await pass.WaitAsync(Timeout);

        Assert.True(result.Ran);
        Assert.True(result.RecordsDropped > 0);
        Assert.Equal([.. Compacted(before, activeBase), .. appended], ReadRecords(log));
        Assert.Equal(rolledDuringPass, log.SegmentBaseOffsets.Where(offset => offset >= activeBase));
        Assert.Equal((0, 300), (log.LogStartOffset, log.LogEndOffset));
        Assert.Equal(300, log.Append(Batch(context.NowMs, ("after", "pass"))).FirstOffset);

        // What was swapped in is what a reopened log finds.
        var expected = ReadRecords(log);
        log.Dispose();
        using var reopened = Open(context, storage);
        Assert.Equal(expected, ReadRecords(reopened));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Truncate_DuringPass_WaitsForItAndTruncatesTheCompactedLog(string kind)
    {
        using var held = HeldPass.Start(kind);
        var (context, _, log, blocker, before, activeBase, pass) = held;

        // A record every pass keeps, in a closed segment well before the active one.
        var truncateAt = before.Last(r => r.Key!.StartsWith("unique", StringComparison.Ordinal) && r.Offset < activeBase / 2).Offset;

        using var waiting = new ManualResetEventSlim();
        log.CleanerGateContended = waiting.Set;
        var truncation = Task.Run(() => log.Truncate(truncateAt));
        Assert.True(waiting.Wait(Timeout), "the truncation did not wait for the pass");
        Assert.False(truncation.IsCompleted);

        blocker.Release();
        Assert.True((await pass.WaitAsync(Timeout)).Ran);
        await truncation.WaitAsync(Timeout);

        var expected = Compacted(before, activeBase).Where(r => r.Offset < truncateAt).ToList();
        Assert.Equal(expected, ReadRecords(log));
        Assert.InRange(log.LogEndOffset, expected[^1].Offset + 1, truncateAt);
        Assert.Equal(log.LogEndOffset, log.Append(Batch(context.NowMs, ("after", "truncation"))).FirstOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeleteRecordsBefore_DuringPass_WaitsForItAndDeletesFromTheCompactedLog(string kind)
    {
        using var held = HeldPass.Start(kind);
        var (_, _, log, blocker, before, activeBase, pass) = held;
        var newStart = log.SegmentBaseOffsets[log.SegmentCount / 2] + 1;

        using var waiting = new ManualResetEventSlim();
        log.CleanerGateContended = waiting.Set;
        var deletion = Task.Run(() => log.DeleteRecordsBefore(newStart));
        Assert.True(waiting.Wait(Timeout), "DeleteRecords did not wait for the pass");
        Assert.False(deletion.IsCompleted);
        Assert.Equal(0, log.LogStartOffset);

        blocker.Release();
        Assert.True((await pass.WaitAsync(Timeout)).Ran);
        await deletion.WaitAsync(Timeout);

        Assert.Equal(newStart, log.LogStartOffset);
        Assert.True(log.SegmentBaseOffsets[0] <= newStart && (log.SegmentCount == 1 || log.SegmentBaseOffsets[1] > newStart));
        Assert.Equal(Compacted(before, activeBase).Where(r => r.Offset >= newStart), ReadRecords(log));
        Assert.Equal(200, log.LogEndOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Dispose_DuringPass_PassGivesUpAndReopenedLogHoldsEveryRecord(string kind)
    {
        using var held = HeldPass.Start(kind);
        var (context, storage, log, blocker, before, _, pass) = held;
        held.LogClosedByTest = true;
        using var waiting = new ManualResetEventSlim();
        log.CleanerGateContended = waiting.Set;
        var close = Task.Run(log.Dispose);
        Assert.True(waiting.Wait(Timeout), "Dispose did not wait for the pass");

        blocker.Release();
        Assert.False((await pass.WaitAsync(Timeout)).Ran);
        await close.WaitAsync(Timeout);

        using var reopened = Open(context, storage);
        Assert.Equal(before, ReadRecords(reopened));
        var directory = storage.OpenDirectory(new LogPartitionName("t", 0));
        Assert.DoesNotContain(directory.ListFiles(), f => f.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal) || f.EndsWith(LogFileNames.SwapSuffix, StringComparison.Ordinal));
        Assert.True(reopened.Compact().Ran);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task TryStartCompaction_WhileAPassRuns_ReturnsNullAndTheNextPassRunsAfter(string kind)
    {
        using var held = HeldPass.Start(kind);
        var (context, _, log, blocker, _, _, pass) = held;
        Assert.Null(log.TryStartCompaction());

        blocker.Release();
        Assert.True((await pass.WaitAsync(Timeout)).Ran);
        AppendKeyed(log, context, 200, 200);
        using var next = log.TryStartCompaction();
        Assert.NotNull(next);
        Assert.True(next.Run(long.MaxValue, null, force: true).Ran);
        Assert.Throws<InvalidOperationException>(() => next.Run(long.MaxValue, null));
    }

    /// <summary>
    /// A compacted log filled with 200 keyed records (<see cref="AppendKeyed"/>) and a pass started on it, held by its
    /// <see cref="CompactionBlocker"/> on its first write. Disposes the blocker, the log (unless the test closed it) and
    /// the storage.
    /// </summary>
    private sealed class HeldPass : IDisposable
    {
        private HeldPass(StorageTestContext context, InstrumentedStorage storage, PartitionLog log, CompactionBlocker blocker)
        {
            Context = context;
            Storage = storage;
            Log = log;
            Blocker = blocker;
            Before = ReadRecords(log);
            ActiveBase = log.SegmentBaseOffsets[^1];
        }

        public StorageTestContext Context { get; }

        public InstrumentedStorage Storage { get; }

        public PartitionLog Log { get; }

        public CompactionBlocker Blocker { get; }

        /// <summary>Every record before the pass.</summary>
        public List<(long Offset, string? Key, string? Value)> Before { get; }

        /// <summary>The active segment's base offset when the pass started: the pass cleans below it.</summary>
        public long ActiveBase { get; }

        public Task<CompactionResult> Pass { get; private set; } = Task.FromResult(CompactionResult.None);

        /// <summary>Set when the test disposes <see cref="Log"/> itself.</summary>
        public bool LogClosedByTest { get; set; }

        public static HeldPass Start(string kind)
        {
            var context = new StorageTestContext(kind);
            var storage = new InstrumentedStorage(context.Storage);
            var log = Open(context, storage);
            var blocker = new CompactionBlocker(storage);
            AppendKeyed(log, context, 0, 200);
            var held = new HeldPass(context, storage, log, blocker);
            held.Pass = Task.Run(() => log.Compact());
            blocker.WaitUntilReached();
            return held;
        }

        public void Deconstruct(
            out StorageTestContext context,
            out InstrumentedStorage storage,
            out PartitionLog log,
            out CompactionBlocker blocker,
            out List<(long Offset, string? Key, string? Value)> before,
            out long activeBase,
            out Task<CompactionResult> pass) =>
            (context, storage, log, blocker, before, activeBase, pass) = (Context, Storage, Log, Blocker, Before, ActiveBase, Pass);

        public void Dispose()
        {
            Blocker.Dispose();
            if (!LogClosedByTest)
            {
                Log.Dispose();
            }

            Context.Dispose();
        }
    }

    private static PartitionLog Open(StorageTestContext context, InstrumentedStorage storage) =>
        PartitionLog.Open(storage.OpenDirectory(new LogPartitionName("t", 0)), Compacted(), context.Time, context.Logger);

    /// <summary>One record a batch: every third key unique (kept by every pass), the rest four keys updated over and over.</summary>
    private static void AppendKeyed(PartitionLog log, StorageTestContext context, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            log.Append(Batch(context.NowMs, (i % 3 == 0 ? $"unique{i}" : $"k{i % 4}", $"v{i}")));
        }
    }
}

using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;
using Samsa.Broker.Storage;
using Samsa.Broker.Tests.Storage;
using static Samsa.Broker.Tests.Storage.CompactionTestData;

namespace Samsa.Broker.Tests.Replication;

/// <summary>
/// <see cref="Partition.Housekeeping"/> runs compaction outside the partition's lock: appends to the
/// partition go on while a pass is held up mid-build by a <see cref="CompactionBlocker"/>.
/// </summary>
public sealed class PartitionCompactionTests
{
    private static readonly TimeSpan Timeout = CompactionBlocker.Timeout;

    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Housekeeping_PassInProgress_AppendsToThePartitionComplete(string kind)
    {
        using var context = new StorageTestContext(kind);
        var storage = new InstrumentedStorage(context.Storage);
        using var log = PartitionLog.Open(storage.OpenDirectory(new LogPartitionName("t", 0)), Compacted(), context.Time, context.Logger);
        using var blocker = new CompactionBlocker(storage);
        var partition = CreatePartition(log);
        for (var i = 0; i < 200; i++)
        {
            Append(partition, context, $"k{i % 5}", $"v{i}");
        }

        var before = ReadRecords(log);
        var activeBase = log.SegmentBaseOffsets[^1];
        var segmentsBefore = log.SegmentCount;

        var housekeeping = Task.Run(partition.Housekeeping);
        blocker.WaitUntilReached();

        // Before issue 12 these waited for the whole pass under the partition's lock.
        var appends = Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal(200 + i, Append(partition, context, $"late{i % 7}", $"x{i}"));
            }
        });
        await appends.WaitAsync(Timeout);
        Assert.Equal(300, partition.HighWatermark);
        Assert.True(log.SegmentCount >= segmentsBefore + 2, "the appends rolled segments during the pass");
        var appended = ReadRecords(log).Where(r => r.Offset >= 200).ToList();

        // A heartbeat that overlaps the running one leaves this partition alone rather than wait.
        await Task.Run(partition.Housekeeping).WaitAsync(Timeout);

        blocker.Release();
        await housekeeping.WaitAsync(Timeout);

        Assert.Equal([.. Compacted(before, activeBase), .. appended], ReadRecords(log));
        Assert.Equal(300, log.LogEndOffset);
        using var read = partition.Read(0, 0, 1 << 20).Data;
        Assert.False(read.Records.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Housekeeping_AbortedTransaction_PassOutsideTheLockStillRemovesIt(string kind)
    {
        using var context = new StorageTestContext(kind);
        var storage = new InstrumentedStorage(context.Storage);
        using var log = PartitionLog.Open(storage.OpenDirectory(new LogPartitionName("t", 0)), Compacted(), context.Time, context.Logger);
        using var blocker = new CompactionBlocker(storage);
        var partition = CreatePartition(log);
        partition.Append(0, TransactionalBatch(7, context.NowMs, ("aborted", "a1"), ("shared", "from-aborted")), 1, AppendOrigin.Coordinator);
        partition.Append(0, Samsa.Protocol.Records.ControlRecord.CreateEndTransactionBatch(Samsa.Protocol.Records.ControlRecordType.Abort, 7, 0, 0, context.NowMs), 1, AppendOrigin.Coordinator);
        for (var i = 0; i < 60; i++)
        {
            Append(partition, context, i == 0 ? "shared" : $"k{i % 3}", $"v{i}");
        }

        var housekeeping = Task.Run(partition.Housekeeping);
        blocker.WaitUntilReached();

        // A transaction that opens and aborts during the pass lies past the pass's offset limit,
        // in the active segment: the copy of aborted transactions the pass took does not need it.
        partition.Append(0, TransactionalBatch(8, context.NowMs, ("late", "l1")), 1, AppendOrigin.Coordinator);
        partition.Append(0, Samsa.Protocol.Records.ControlRecord.CreateEndTransactionBatch(Samsa.Protocol.Records.ControlRecordType.Abort, 8, 0, 0, context.NowMs), 1, AppendOrigin.Coordinator);

        blocker.Release();
        await housekeeping.WaitAsync(Timeout);

        var records = ReadRecords(log);
        Assert.DoesNotContain(records, r => r.Key == "aborted" || r.Value == "from-aborted");
        Assert.Contains(records, r => r is { Key: "shared", Value: "v0" });
        Assert.Contains(records, r => r.Key == "late"); // no pass has reached it yet
    }

    private static Partition CreatePartition(PartitionLog log)
    {
        var none = new Dictionary<string, string>();
        var config = new TopicConfig(new Dictionary<string, string> { ["cleanup.policy"] = "compact" }, new BrokerLevelConfigs(none, none));
        return new Partition("t", Guid.NewGuid(), 0, [0], nodeCount: 1, leaderEpoch: 0, epochHistory: [], config.LogConfig, openLog: _ => log, closeLog: _ => log.Dispose(), isNodeAlive: _ => true);
    }

    private static long Append(Partition partition, StorageTestContext context, string key, string value)
    {
        var outcome = partition.Append(0, Batch(context.NowMs, (key, value)), acks: 1);
        Assert.Equal(Samsa.Protocol.ErrorCode.None, outcome.Error);
        return outcome.BaseOffset;
    }
}

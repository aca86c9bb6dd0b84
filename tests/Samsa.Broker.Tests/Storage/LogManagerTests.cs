using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

public sealed class LogManagerTests
{
    public static TheoryData<string> Kinds => StorageTestContext.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GetOrOpen_SamePartitionTwice_ReturnsSameLog(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var manager = new LogManager(context.Storage, context.Time, context.Logger);

        var first = manager.GetOrOpen("orders", 0, LogConfig.Default);
        var second = manager.GetOrOpen("orders", 0, LogConfig.Default with { SegmentBytes = 10 });

        Assert.Same(first, second);
        Assert.Equal(LogConfig.DefaultSegmentBytes, second.Config.SegmentBytes);
        Assert.True(manager.TryGet("orders", 0, out var found));
        Assert.Same(first, found);
        Assert.False(manager.TryGet("orders", 1, out _));
    }

    [Fact]
    public void ListPartitions_NewManagerOnSameDirectory_FindsPartitionsWithTheirData()
    {
        using var context = new StorageTestContext(StorageTestContext.File);
        using (var manager = new LogManager(context.Storage, context.Time, context.Logger))
        {
            manager.GetOrOpen("orders", 0, LogConfig.Default).Append(TestBatches.Create(3));
            manager.GetOrOpen("orders", 1, LogConfig.Default);
            manager.GetOrOpen("__consumer_offsets", 12, LogConfig.Default);
        }

        Directory.CreateDirectory(Path.Combine(context.DataDirectory!, "not a partition"));
        Directory.CreateDirectory(Path.Combine(context.DataDirectory!, "orders-x"));
        File.WriteAllText(Path.Combine(context.DataDirectory!, "__samsa_topics.json"), "{}");

        using var restarted = new LogManager(new FileLogStorage(context.DataDirectory!), context.Time, context.Logger);

        Assert.Equal(
            [new LogPartitionName("__consumer_offsets", 12), new LogPartitionName("orders", 0), new LogPartitionName("orders", 1)],
            restarted.ListPartitions());
        Assert.Equal(3, restarted.GetOrOpen("orders", 0, LogConfig.Default).LogEndOffset);
        Assert.True(File.Exists(Path.Combine(context.DataDirectory!, "__samsa_topics.json")));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Delete_OpenPartition_ClosesItAndRemovesItsData(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var manager = new LogManager(context.Storage, context.Time, context.Logger);
        var log = manager.GetOrOpen("orders", 0, LogConfig.Default);
        log.Append(TestBatches.Create(3));

        Assert.True(manager.Delete("orders", 0));

        Assert.Throws<ObjectDisposedException>(() => log.Read(0, 100));
        Assert.Empty(manager.ListPartitions());
        Assert.False(manager.Delete("orders", 0));
        Assert.Equal(0, manager.GetOrOpen("orders", 0, LogConfig.Default).LogEndOffset);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Close_OpenPartition_KeepsDataForNextOpen(string kind)
    {
        using var context = new StorageTestContext(kind);
        using var manager = new LogManager(context.Storage, context.Time, context.Logger);
        manager.GetOrOpen("orders", 0, LogConfig.Default).Append(TestBatches.Create(3));

        Assert.True(manager.Close("orders", 0));

        Assert.Empty(manager.OpenLogs);
        Assert.Equal(3, manager.GetOrOpen("orders", 0, LogConfig.Default).LogEndOffset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void GetOrOpen_InvalidTopicName_Throws(string topic)
    {
        using var context = new StorageTestContext(StorageTestContext.Memory);
        using var manager = new LogManager(context.Storage, context.Time, context.Logger);

        Assert.Throws<ArgumentException>(() => manager.GetOrOpen(topic, 0, LogConfig.Default));
    }

    [Fact]
    public void FileLogStorage_LeftoverOfInterruptedDelete_IsRemovedButSimilarNamesStay()
    {
        using var context = new StorageTestContext(StorageTestContext.File);
        var leftover = Path.Combine(context.DataDirectory!, "orders-0." + Guid.NewGuid().ToString("N") + "-delete");
        var unrelated = Path.Combine(context.DataDirectory!, "backup-delete");
        Directory.CreateDirectory(leftover);
        Directory.CreateDirectory(unrelated);

        _ = new FileLogStorage(context.DataDirectory!);

        Assert.False(Directory.Exists(leftover));
        Assert.True(Directory.Exists(unrelated));
    }

    [Theory]
    [InlineData("orders-0", "orders", 0)]
    [InlineData("my-topic-12", "my-topic", 12)]
    [InlineData("__consumer_offsets-49", "__consumer_offsets", 49)]
    public void LogPartitionName_TryParse_PartitionDirectory_SplitsAtLastDash(string directory, string topic, int partition)
    {
        Assert.True(LogPartitionName.TryParse(directory, out var name));
        Assert.Equal((topic, partition), (name.Topic, name.Partition));
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("orders-")]
    [InlineData("-1")]
    [InlineData("orders-01")]
    [InlineData("orders-+1")]
    [InlineData("orders-0.5b1e-delete")]
    public void LogPartitionName_TryParse_OtherDirectory_ReturnsFalse(string directory) =>
        Assert.False(LogPartitionName.TryParse(directory, out _));
}

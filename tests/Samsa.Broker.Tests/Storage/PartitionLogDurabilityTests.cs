using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

/// <summary>When the log flushes, and how it behaves when a write fails.</summary>
public sealed class PartitionLogDurabilityTests
{
    private const int FilesPerSegment = 3;

    private readonly InstrumentedStorage _storage = new();
    private readonly FakeTimeProvider _time = new(StorageTestContext.Start);
    private readonly StorageTestContext.ListLogger _logger = new();

    [Fact]
    public void Append_FlushMessagesReached_FlushesActiveSegment()
    {
        using var log = Open(new LogConfig { FlushMessages = 5 });

        log.Append(TestBatches.Create(2));
        log.Append(TestBatches.Create(2));
        Assert.Equal(0, _storage.Flushes);

        log.Append(TestBatches.Create(1));
        Assert.Equal(FilesPerSegment, _storage.Flushes);

        log.Append(TestBatches.Create(4));
        Assert.Equal(FilesPerSegment, _storage.Flushes);
    }

    [Fact]
    public void Append_FlushMsPassed_FlushesOnNextAppend()
    {
        using var log = Open(new LogConfig { FlushMs = 500 });
        log.Append(TestBatches.Create(1));
        Assert.Equal(0, _storage.Flushes);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        log.Append(TestBatches.Create(1));

        Assert.Equal(FilesPerSegment, _storage.Flushes);
    }

    [Fact]
    public void Append_Roll_FlushesTheSegmentItCloses()
    {
        using var log = Open(new LogConfig { SegmentBytes = 200 });
        log.Append(TestBatches.Create(3));
        Assert.Equal(0, _storage.Flushes);

        log.Append(TestBatches.Create(3));

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(FilesPerSegment, _storage.Flushes);
    }

    [Fact]
    public void Dispose_FlushesAndMarksCleanShutdown()
    {
        var log = Open(LogConfig.Default);
        log.Append(TestBatches.Create(3));

        log.Dispose();

        Assert.Equal(FilesPerSegment, _storage.Flushes);
        Assert.True(Directory().Exists(LogFileNames.CleanShutdown));
    }

    [Fact]
    public void Append_IndexWriteFails_RefusesWritesKeepsReadsAndRecoversOnReopen()
    {
        var log = Open(new LogConfig { IndexIntervalBytes = 0 });
        log.Append(TestBatches.Create(2));
        _storage.FailAppends = name => name.EndsWith(LogFileNames.IndexSuffix, StringComparison.Ordinal);

        Assert.Throws<IOException>(() => log.Append(TestBatches.Create(2)));
        _storage.FailAppends = null;

        Assert.Equal(2, log.LogEndOffset);
        Assert.Throws<IOException>(() => log.Append(TestBatches.Create(1)));
        Assert.Equal([0], TestBatches.ReadBaseOffsets(log, 0));
        Assert.Contains(_logger.Entries, entry => entry.EventId.Id == 3010);
        log.Dispose();
        Assert.False(Directory().Exists(LogFileNames.CleanShutdown));

        // The batch whose data was written whole before the index failed is found again by recovery.
        using var reopened = Open(LogConfig.Default);
        Assert.Equal(4, reopened.LogEndOffset);
        Assert.Equal(4, reopened.Append(TestBatches.Create(1)).FirstOffset);
    }

    private ILogDirectory Directory() => _storage.OpenDirectory(new LogPartitionName("t", 0));

    private PartitionLog Open(LogConfig config) => PartitionLog.Open(Directory(), config, _time, _logger);
}

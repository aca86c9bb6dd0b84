using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Cluster;
using Samsa.Broker.Coordination;
using Samsa.Protocol;

namespace Samsa.Broker.Tests.Coordination;

/// <summary>
/// The shard lifecycle on its own, with a loader the test controls: the shards belong to a seeded (empty)
/// topic of an in-memory broker, so each load runs inline on the thread that starts it and retries run
/// when the fake clock is advanced.
/// </summary>
public sealed class CoordinatorShardsTests : IAsyncLifetime
{
    private const string Topic = "t";
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private SamsaBroker _broker = null!;

    public async ValueTask InitializeAsync() =>
        _broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { [Topic] = 2 } }, cancellationToken: TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _broker.DisposeAsync();

    [Fact]
    public void Load_ThrowsAnArbitraryException_ShardFailsVisiblyIsLoggedAndIsRetriedAfterTheBackoff()
    {
        var loader = new TestLoader { Failures = 2 };
        var shards = new CoordinatorShards<string>(Topic, loader, _time, _logger);

        shards.Adopt(TopicState());

        // Failed, not stuck loading: the status and the reason are visible, and requests are told to retry.
        Assert.Equal(ShardStatus.Failed, shards.StatusOf(0));
        lock (shards.Lock)
        {
            Assert.IsType<InvalidOperationException>(shards[0].LastFailure);
            Assert.Equal(1, shards[0].FailedAttempts);
            Assert.Equal(ErrorCode.CoordinatorLoadInProgress, shards[0].ServingError(shards[0].Owner, nodeAlive: true));
        }

        var failure = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 8000 && r.Message.Contains($"{Topic}-0", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.IsType<InvalidOperationException>(failure.Exception);

        // The second attempt waits for the first delay, fails again, and the third waits twice as long.
        _time.Advance(CoordinatorLoadRetry.DelayAfter(1) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, loader.Attempts(0));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, loader.Attempts(0));
        Assert.Equal(ShardStatus.Failed, shards.StatusOf(0));
        _time.Advance(CoordinatorLoadRetry.DelayAfter(2));
        Assert.Equal(3, loader.Attempts(0));

        Assert.Equal(ShardStatus.Loaded, shards.StatusOf(0));
        lock (shards.Lock)
        {
            Assert.Equal(ErrorCode.None, shards[0].ServingError(shards[0].Owner, nodeAlive: true));
            Assert.Equal("item-0", shards[0].Items["key"]);
            Assert.Null(shards[0].LastFailure);
        }

        Assert.Equal(1, loader.LoadedCount(0));
    }

    [Fact]
    public async Task Stop_WhileALoadIsReading_TheLateItemsAreUnloadedAndNeverPublished()
    {
        var loader = new TestLoader { Block = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var shards = new CoordinatorShards<string>(Topic, loader, _time, _logger);

        // The inline load blocks the thread that adopts the topic, so adopt it on another one.
        var adopting = Task.Run(() => shards.Adopt(TopicState()), TestContext.Current.CancellationToken);
        await loader.Reading.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(ShardStatus.Loading, shards.StatusOf(0));

        Assert.True(shards.TryStop(out var held));
        Assert.Empty(held);
        loader.Block.SetResult();
        await adopting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(ShardStatus.Unloaded, shards.StatusOf(0));
        Assert.Equal(ShardStatus.Unloaded, shards.StatusOf(1));
        lock (shards.Lock)
        {
            Assert.Empty(shards[0].Items);
        }

        Assert.Contains("item-0", loader.Unloaded);
        Assert.Empty(loader.LoadedShards);
    }

    [Fact]
    public void Reassign_WhileARetryIsPending_TheOldRetryNeverRuns()
    {
        var loader = new TestLoader { Failures = 1 };
        var shards = new CoordinatorShards<string>(Topic, loader, _time, _logger);
        var topic = TopicState();
        shards.Adopt(topic);
        Assert.Equal(ShardStatus.Failed, shards.StatusOf(0));

        // The topic is recreated (a new generation of every shard): the pending retry of the old one is cancelled.
        Assert.True(shards.TryStop(out _));
        _time.Advance(CoordinatorLoadRetry.MaxDelay);

        Assert.Equal(1, loader.Attempts(0));
        Assert.Equal(ShardStatus.Unloaded, shards.StatusOf(0));
    }

    [Fact]
    public void Loaded_Throws_TheExceptionIsLoggedAndDoesNotEscape()
    {
        var loader = new TestLoader { FailLoaded = true };
        var shards = new CoordinatorShards<string>(Topic, loader, _time, _logger);

        shards.Adopt(TopicState());

        Assert.Equal(ShardStatus.Loaded, shards.StatusOf(0));
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == 8001 && r.Exception is InvalidOperationException);
    }

    private TopicState TopicState()
    {
        Assert.True(_broker.Cluster.TryGetTopic(Topic, out var topic));
        return topic;
    }

    /// <summary>Loads one item per shard ("key" → "item-N"), failing or blocking as told.</summary>
    private sealed class TestLoader : IShardContentLoader<string>
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<int, int> _attempts = [];

        public int Failures { get; init; }

        public bool FailLoaded { get; init; }

        public TaskCompletionSource? Block { get; init; }

        public TaskCompletionSource Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> LoadedShards { get; } = [];

        public List<string> Unloaded { get; } = [];

        public int Attempts(int partition)
        {
            lock (_lock)
            {
                return _attempts.GetValueOrDefault(partition);
            }
        }

        public int LoadedCount(int partition)
        {
            lock (_lock)
            {
                return LoadedShards.Count(p => p == partition);
            }
        }

        public ShardContent<string> Load(CoordinatorShard<string> shard, int leader)
        {
            int attempt;
            lock (_lock)
            {
                attempt = _attempts[shard.Index] = _attempts.GetValueOrDefault(shard.Index) + 1;
            }

            if (shard.Index == 0)
            {
                Reading.TrySetResult();
                Block?.Task.Wait(TimeSpan.FromSeconds(30));
                if (attempt <= Failures)
                {
                    throw new InvalidOperationException($"attempt {attempt} fails");
                }
            }

            return new ShardContent<string>(new Dictionary<string, string> { ["key"] = $"item-{shard.Index}" }, 1);
        }

        public void Loaded(CoordinatorShard<string> shard, ShardContent<string> content, int leader, long elapsedMs)
        {
            lock (_lock)
            {
                LoadedShards.Add(shard.Index);
            }

            if (FailLoaded)
            {
                throw new InvalidOperationException("resuming the loaded items failed");
            }
        }

        public void Unload(int partition, IReadOnlyCollection<string> items, int previousOwner)
        {
            lock (_lock)
            {
                Unloaded.AddRange(items);
            }
        }
    }
}

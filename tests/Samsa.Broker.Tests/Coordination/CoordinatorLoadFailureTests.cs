using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Samsa.Broker.Coordination;
using Samsa.Broker.Groups;
using Samsa.Broker.Tests.Groups;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using ErrorCode = Samsa.Protocol.ErrorCode;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Coordination;

/// <summary>
/// A coordinator shard whose load throws (an arbitrary exception, injected through the shards' test seam)
/// as clients see it over TCP: COORDINATOR_LOAD_IN_PROGRESS while it fails, the failure in the log, and the
/// shard serving once a retry succeeds.
/// </summary>
public sealed class CoordinatorLoadFailureTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);
    private readonly FakeLogCollector _logs = new();

    private Task<EmbeddedBroker> StartAsync(int nodes) => EmbeddedBroker.StartAsync(
        o =>
        {
            o.NodeCount = nodes;
            o.OffsetsTopicPartitions = 5;
            o.TransactionStateTopicPartitions = 5;
            o.SeedTopics["t"] = 1;
        },
        cluster => cluster.LoggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(_logs))));

    [Fact]
    public async Task OffsetFetch_NewCoordinatorsLoadThrows_LoadInProgressUntilARetrySucceedsThenTheCommitIsServed()
    {
        await using var broker = await StartAsync(nodes: 2);
        var partition = GroupCoordinator.PartitionFor("g", 5);
        var old = broker.Broker.Groups.FindCoordinator("g").Node!;
        await using (var client = await GroupWireClient.ConnectAsync(old))
        {
            var commit = await client.SendAsync<OffsetCommitResponse>(
                new OffsetCommitRequest
                {
                    GroupId = "g",
                    Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 42 }] }],
                },
                8);
            Assert.Equal((short)ErrorCode.None, commit.Topics[0].Partitions[0].ErrorCode);
        }

        var failing = 1;
        broker.Broker.Groups.Shards.BeforeLoad = (shard, _) =>
        {
            if (shard.Index == partition && Volatile.Read(ref failing) == 1)
            {
                throw new InvalidOperationException("injected: the partition cannot be read");
            }
        };

        await broker.Broker.StopNodeAsync(old.Id);
        var node = broker.Broker.Groups.FindCoordinator("g").Node!;
        Assert.NotEqual(old.Id, node.Id);
        await using var newClient = await GroupWireClient.ConnectAsync(node);

        // While the load fails, the failure is logged and the shard says so; clients are told to retry.
        var failure = await WaitForLogAsync(8000, $"__consumer_offsets-{partition}");
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.IsType<InvalidOperationException>(failure.Exception);
        Assert.Equal(ShardStatus.Failed, broker.Broker.Groups.Shards.StatusOf(partition));
        var during = await newClient.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "g", Topics = null }, 7);
        Assert.Equal((short)ErrorCode.CoordinatorLoadInProgress, during.ErrorCode);

        // The cause goes away: a retry (on the backoff) loads the shard and the commit is served.
        Volatile.Write(ref failing, 0);
        var fetch = await UntilAsync(
            () => newClient.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "g", Topics = null }, 7),
            r => r.ErrorCode != (short)ErrorCode.CoordinatorLoadInProgress);
        Assert.Equal((short)ErrorCode.None, fetch.ErrorCode);
        Assert.Equal(42, Assert.Single(Assert.Single(fetch.Topics).Partitions).CommittedOffset);
        Assert.Equal(ShardStatus.Loaded, broker.Broker.Groups.Shards.StatusOf(partition));
    }

    [Fact]
    public async Task InitTransactions_StateShardsFirstLoadsThrow_ConfluentProducerRetriesUntilLoadedThenCommits()
    {
        await using var broker = await StartAsync(nodes: 1);
        var partition = TransactionCoordinator.PartitionFor("retried", 5);
        var attempts = 0;
        broker.Broker.Transactions.Shards.BeforeLoad = (shard, attempt) =>
        {
            if (shard.Index == partition)
            {
                Interlocked.Increment(ref attempts);
                if (attempt <= 2)
                {
                    throw new InvalidOperationException($"injected: attempt {attempt}");
                }
            }
        };

        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c =>
        {
            c.TransactionalId = "retried";
            c.EnableIdempotence = true;
            c.RetryBackoffMs = 50;
        })).Build();
        producer.InitTransactions(Bounded);
        producer.BeginTransaction();
        producer.Produce("t", new Message<Null, string> { Value = "after the retries" });
        producer.CommitTransaction(Bounded);

        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal(2, _logs.GetSnapshot().Count(r => r.Id.Id == 8000 && r.Message.Contains($"__transaction_state-{partition}:", StringComparison.Ordinal)));
        Assert.Equal(ShardStatus.Loaded, broker.Broker.Transactions.Shards.StatusOf(partition));
    }

    private async Task<FakeLogRecord> WaitForLogAsync(int eventId, string text) =>
        (await UntilAsync(
            () => Task.FromResult(_logs.GetSnapshot().FirstOrDefault(r => r.Id.Id == eventId && r.Message.Contains(text, StringComparison.Ordinal))),
            r => r is not null))!;

    /// <summary>Calls <paramref name="probe"/> until <paramref name="done"/> holds, within <see cref="Bounded"/>.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Bounded);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(20, deadline.Token);
        }
    }
}

using System.Diagnostics;
using Confluent.Kafka;
using Samsa.Broker.Transactions;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Confluent.Kafka transactional producers and read_committed consumers against Samsa.Broker.</summary>
public sealed class TransactionConfluentTests : IDisposable
{
    private const string Topic = "txn-out";
    private const string Input = "txn-in";
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-txn-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    private static Task<EmbeddedBroker> StartAsync(Action<BrokerOptions>? configure = null) => EmbeddedBroker.StartAsync(o =>
    {
        o.SeedTopics[Topic] = 1;
        o.SeedTopics[Input] = 1;
        o.TransactionStateTopicPartitions = 5;
        o.OffsetsTopicPartitions = 5;
        o.GroupInitialRebalanceDelay = TimeSpan.Zero;
        o.GroupMinSessionTimeout = TimeSpan.FromSeconds(1);
        configure?.Invoke(o);
    });

    private static IProducer<Null, string> TransactionalProducer(EmbeddedBroker broker, string transactionalId, int timeoutMs = 20_000) =>
        new ProducerBuilder<Null, string>(broker.ProducerConfig(c =>
        {
            c.TransactionalId = transactionalId;
            c.EnableIdempotence = true;
            c.TransactionTimeoutMs = timeoutMs;
            c.MessageTimeoutMs = Math.Min(timeoutMs, 20_000);
            c.SocketTimeoutMs = Math.Min(timeoutMs - 100, 10_000);
            c.RetryBackoffMs = 50;
        })).Build();

    private static void Produce(IProducer<Null, string> producer, string topic, params string[] values)
    {
        foreach (var value in values)
        {
            producer.Produce(topic, new Message<Null, string> { Value = value });
        }

        Assert.Equal(0, producer.Flush(Bounded));
    }

    private static void CommitTransaction(IProducer<Null, string> producer, string topic, params string[] values)
    {
        producer.BeginTransaction();
        Produce(producer, topic, values);
        producer.CommitTransaction(Bounded);
    }

    private static string[] Values(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}").ToArray();

    /// <summary>Everything a fresh consumer reads from partition 0 of <paramref name="topic"/> up to its end (the last stable offset for read_committed).</summary>
    private static List<string> ReadAll(EmbeddedBroker broker, string topic, IsolationLevel isolation)
    {
        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig($"reader-{Guid.NewGuid():N}", c =>
        {
            c.IsolationLevel = isolation;
            c.EnablePartitionEof = true;
        })).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        return [.. consumer.ConsumeToEnd(1, Bounded).Select(r => r.Message.Value)];
    }

    private static Samsa.Broker.Replication.Partition PartitionOf(EmbeddedBroker broker, string topic)
    {
        Assert.True(broker.Broker.Cluster.TryGetTopic(topic, out var state));
        return state.Partitions[0];
    }

    [Fact]
    public async Task EndTxn_Committed_RecordsVisibleToReadCommittedConsumer()
    {
        await using var broker = await StartAsync();
        using var producer = TransactionalProducer(broker, "commit-1");
        producer.InitTransactions(Bounded);

        CommitTransaction(producer, Topic, Values("c", 10));

        Assert.Equal(Values("c", 10), ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
        Assert.Equal(Values("c", 10), ReadAll(broker, Topic, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public async Task EndTxn_Aborted_HiddenFromReadCommittedButVisibleToReadUncommitted()
    {
        await using var broker = await StartAsync();
        using var producer = TransactionalProducer(broker, "abort-1");
        producer.InitTransactions(Bounded);

        producer.BeginTransaction();
        Produce(producer, Topic, Values("a", 5));
        producer.AbortTransaction(Bounded);
        CommitTransaction(producer, Topic, Values("c", 5));

        Assert.Equal(Values("c", 5), ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
        Assert.Equal([.. Values("a", 5), .. Values("c", 5)], ReadAll(broker, Topic, IsolationLevel.ReadUncommitted));
    }

    [Fact]
    public async Task Fetch_ReadCommittedWithOpenTransaction_StopsAtLastStableOffsetUntilCommit()
    {
        await using var broker = await StartAsync();
        using var producer = TransactionalProducer(broker, "lso-1");
        producer.InitTransactions(Bounded);
        CommitTransaction(producer, Topic, Values("c", 3));

        producer.BeginTransaction();
        Produce(producer, Topic, Values("o", 3));

        // 3 committed records and their marker are stable; the open transaction starts at offset 4.
        Assert.Equal(4, PartitionOf(broker, Topic).LastStableOffset);
        Assert.Equal(7, PartitionOf(broker, Topic).HighWatermark);
        Assert.Equal(Values("c", 3), ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
        Assert.Equal([.. Values("c", 3), .. Values("o", 3)], ReadAll(broker, Topic, IsolationLevel.ReadUncommitted));

        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig("lso-reader", c => c.IsolationLevel = IsolationLevel.ReadCommitted)).Build();
        Assert.Equal(4, consumer.QueryWatermarkOffsets(new TopicPartition(Topic, 0), Bounded).High.Value);
        consumer.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
        Assert.Equal(Values("c", 3), consumer.ConsumeMany(3, Bounded).Select(r => r.Message.Value));
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(500)));

        producer.CommitTransaction(Bounded);

        Assert.Equal(Values("o", 3), consumer.ConsumeMany(3, Bounded).Select(r => r.Message.Value));
        Assert.Equal(8, consumer.QueryWatermarkOffsets(new TopicPartition(Topic, 0), Bounded).High.Value);
    }

    [Fact]
    public async Task TxnOffsetCommit_ConsumeTransformProduce_CommitsOutputAndGroupOffsetsAtomically()
    {
        await using var broker = await StartAsync();
        using (var plain = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build())
        {
            Produce(plain, Input, Values("in", 10));
        }

        using var producer = TransactionalProducer(broker, "ctp-1");
        producer.InitTransactions(Bounded);
        ConsumeTransformProduce(broker, producer, "ctp", 5, commit: true);

        // The output and the group's offset moved together.
        Assert.Equal(Values("in", 5).Select(v => $"out-{v}"), ReadAll(broker, Topic, IsolationLevel.ReadCommitted));

        // A restarted member of the group resumes after the committed input.
        using var restarted = new ConsumerBuilder<Null, string>(GroupConfig(broker, "ctp")).Build();
        restarted.Subscribe(Input);
        var next = restarted.ConsumeMany(1, Bounded);
        Assert.Equal(5, Assert.Single(next).Offset.Value);
        restarted.Close();
    }

    [Fact]
    public async Task TxnOffsetCommit_AbortedTransaction_LeavesGroupOffsetUnchanged()
    {
        await using var broker = await StartAsync();
        using (var plain = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build())
        {
            Produce(plain, Input, Values("in", 10));
        }

        using var producer = TransactionalProducer(broker, "ctp-2");
        producer.InitTransactions(Bounded);
        ConsumeTransformProduce(broker, producer, "ctp-abort", 4, commit: true);

        ConsumeTransformProduce(broker, producer, "ctp-abort", 6, commit: false);

        Assert.Equal(Values("in", 4).Select(v => $"out-{v}"), ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
        using var checker = new ConsumerBuilder<Null, string>(GroupConfig(broker, "ctp-abort")).Build();
        var committed = checker.Committed([new TopicPartition(Input, 0)], Bounded);
        Assert.Equal(4, Assert.Single(committed).Offset.Value);
    }

    [Fact]
    public async Task OffsetFetch_RequireStableWhileTransactionHoldsOffsets_UnstableUntilTheTransactionCommits()
    {
        await using var broker = await StartAsync();
        using var producer = TransactionalProducer(broker, "stable-tx");
        producer.InitTransactions(Bounded);
        CommitTransaction(producer, Input, Values("in", 2));
        using var consumer = new ConsumerBuilder<Null, string>(GroupConfig(broker, "stable-g")).Build();
        consumer.Subscribe(Input);
        Assert.Equal(2, consumer.ConsumeMany(2, Bounded).Count);

        producer.BeginTransaction();
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(Input, 0, 2)], consumer.ConsumerGroupMetadata, Bounded);
        await using var wire = await Groups.GroupWireClient.ConnectAsync(broker.Broker.Nodes[0]);

        var stable = await FetchAsync(wire, requireStable: true);
        var unstable = await FetchAsync(wire, requireStable: false);
        producer.CommitTransaction(Bounded);
        var afterCommit = await FetchAsync(wire, requireStable: true);

        Assert.Equal((short)Protocol.ErrorCode.UnstableOffsetCommit, stable.ErrorCode);
        Assert.Equal(((short)Protocol.ErrorCode.None, -1L), (unstable.ErrorCode, unstable.CommittedOffset));
        Assert.Equal(((short)Protocol.ErrorCode.None, 2L), (afterCommit.ErrorCode, afterCommit.CommittedOffset));
    }

    private static async Task<Protocol.Messages.OffsetFetchResponse.OffsetFetchResponsePartition> FetchAsync(Groups.GroupWireClient wire, bool requireStable)
    {
        var response = await wire.SendAsync<Protocol.Messages.OffsetFetchResponse>(
            new Protocol.Messages.OffsetFetchRequest
            {
                GroupId = "stable-g",
                Topics = [new Protocol.Messages.OffsetFetchRequest.OffsetFetchRequestTopic { Name = Input, PartitionIndexes = [0] }],
                RequireStable = requireStable,
            },
            7);
        return Assert.Single(Assert.Single(response.Topics).Partitions);
    }

    private static ConsumerConfig GroupConfig(EmbeddedBroker broker, string groupId) => broker.ConsumerConfig(groupId, c =>
    {
        c.IsolationLevel = IsolationLevel.ReadCommitted;
        c.SessionTimeoutMs = 6000;
        c.HeartbeatIntervalMs = 500;
    });

    /// <summary>One member of <paramref name="groupId"/> reads <paramref name="count"/> input records from its committed position and writes them transformed, with its offsets, in one transaction.</summary>
    private static void ConsumeTransformProduce(EmbeddedBroker broker, IProducer<Null, string> producer, string groupId, int count, bool commit)
    {
        using var consumer = new ConsumerBuilder<Null, string>(GroupConfig(broker, groupId)).Build();
        consumer.Subscribe(Input);
        var consumed = consumer.ConsumeMany(count, Bounded);
        Assert.Equal(count, consumed.Count);

        producer.BeginTransaction();
        Produce(producer, Topic, consumed.Select(r => $"out-{r.Message.Value}").ToArray());
        var last = consumed[^1];
        producer.SendOffsetsToTransaction([new TopicPartitionOffset(last.TopicPartition, last.Offset + 1)], consumer.ConsumerGroupMetadata, Bounded);
        if (commit)
        {
            producer.CommitTransaction(Bounded);
        }
        else
        {
            producer.AbortTransaction(Bounded);
        }

        consumer.Close();
    }

    [Fact]
    public async Task InitProducerId_SecondProducerSameTransactionalId_FencesTheFirst()
    {
        await using var broker = await StartAsync();
        using var first = TransactionalProducer(broker, "fenced-1");
        first.InitTransactions(Bounded);
        first.BeginTransaction();
        Produce(first, Topic, Values("zombie", 3));

        using var second = TransactionalProducer(broker, "fenced-1");
        second.InitTransactions(Bounded);

        var error = Assert.Throws<KafkaException>(() => first.CommitTransaction(Bounded));
        Assert.Contains(error.Error.Code, new[] { ErrorCode.Local_Fenced, ErrorCode.ProducerFenced, ErrorCode.InvalidProducerEpoch });
        CommitTransaction(second, Topic, Values("live", 2));
        Assert.Equal(Values("live", 2), ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
    }

    [Fact]
    public async Task AddPartitionsToTxn_TransactionTimeoutPassed_TransactionAbortedAndProducerFenced()
    {
        await using var broker = await StartAsync(o => o.TransactionAbortTimedOutInterval = TimeSpan.FromMilliseconds(100));
        using var producer = TransactionalProducer(broker, "stalled-1", timeoutMs: 1000);
        producer.InitTransactions(Bounded);
        producer.BeginTransaction();
        Produce(producer, Topic, Values("stalled", 3));
        var partition = PartitionOf(broker, Topic);
        Assert.Equal(0, partition.LastStableOffset);

        // The stalled producer does nothing; the coordinator aborts the transaction once it is 1 s old.
        Assert.True(await Poll.TryUntilAsync(() => partition.LastStableOffset == partition.HighWatermark && partition.HighWatermark == 4, Bounded));

        Assert.Empty(ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
        Assert.Equal(Values("stalled", 3), ReadAll(broker, Topic, IsolationLevel.ReadUncommitted));
        var state = broker.Broker.Transactions.Describe(broker.Broker.Transactions.FindCoordinator("stalled-1").Node!.Id, "stalled-1").Transaction!;
        Assert.Equal(TransactionState.CompleteAbort, state.State);
        Assert.ThrowsAny<KafkaException>(() => producer.CommitTransaction(Bounded));
    }

    [Fact]
    public async Task FindCoordinator_TransactionCoordinatorStopped_NewTransactionCommitsAfterFailover()
    {
        await using var broker = await StartAsync(o =>
        {
            o.NodeCount = 3;
            o.DefaultReplicationFactor = 3;
        });
        using var producer = TransactionalProducer(broker, "failover-1");
        producer.InitTransactions(Bounded);
        CommitTransaction(producer, Topic, Values("before", 3));
        var coordinator = broker.Broker.Transactions.FindCoordinator("failover-1").Node!.Id;

        await broker.Broker.StopNodeAsync(coordinator);

        Assert.NotEqual(coordinator, broker.Broker.Transactions.FindCoordinator("failover-1").Node!.Id);
        CommitTransaction(producer, Topic, Values("after", 3));
        Assert.Equal([.. Values("before", 3), .. Values("after", 3)], ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
    }

    [Fact]
    public async Task InitProducerId_BrokerRestartedWithOpenTransaction_OpenOneAbortedCommittedKept()
    {
        void Configure(BrokerOptions o)
        {
            o.DataDirectory = _dataDirectory.FullName;
            o.TransactionAbortTimedOutInterval = TimeSpan.FromMilliseconds(100);
        }

        await using (var broker = await StartAsync(Configure))
        {
            using var producer = TransactionalProducer(broker, "restart-1", timeoutMs: 2000);
            producer.InitTransactions(Bounded);
            CommitTransaction(producer, Topic, Values("kept", 3));
            producer.BeginTransaction();
            Produce(producer, Topic, Values("open", 2));
            Assert.Equal(4, PartitionOf(broker, Topic).LastStableOffset);
        }

        await using var restarted = await StartAsync(Configure);

        // The open transaction comes back (the log's batches and __transaction_state), holds the
        // last stable offset, and is aborted once its timeout passes, as Kafka's coordinator does.
        var partition = PartitionOf(restarted, Topic);
        Assert.InRange(partition.HighWatermark, 6, 7);
        Assert.True(await Poll.TryUntilAsync(() => partition.LastStableOffset == 7 && partition.HighWatermark == 7, Bounded));
        Assert.Equal(Values("kept", 3), ReadAll(restarted, Topic, IsolationLevel.ReadCommitted));
        Assert.Equal([.. Values("kept", 3), .. Values("open", 2)], ReadAll(restarted, Topic, IsolationLevel.ReadUncommitted));

        // The transactional id goes on after the restart.
        using var next = TransactionalProducer(restarted, "restart-1");
        next.InitTransactions(Bounded);
        CommitTransaction(next, Topic, Values("next", 2));
        Assert.Equal([.. Values("kept", 3), .. Values("next", 2)], ReadAll(restarted, Topic, IsolationLevel.ReadCommitted));
    }
}

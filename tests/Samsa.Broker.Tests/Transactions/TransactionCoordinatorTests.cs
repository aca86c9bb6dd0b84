using Samsa.Broker.Groups;
using Samsa.Broker.Replication;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Records;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Transactions;

/// <summary>The coordinator's state machine on a fake clock: init, add, end, fencing, timeouts, failover.</summary>
public class TransactionCoordinatorTests
{
    [Theory]
    [InlineData("hello", 22)] // Java "hello".hashCode() = 99162322
    [InlineData("polygenelubricants", 0)] // hashCode() = Integer.MIN_VALUE, which Kafka maps to 0
    [InlineData("my-group", 12)] // negative hash -1906497762
    public void PartitionFor_TransactionalId_MatchesKafkasChoice(string transactionalId, int expected)
    {
        Assert.Equal(expected, TransactionCoordinator.PartitionFor(transactionalId, 50));
    }

    [Fact]
    public async Task FindCoordinator_FirstUse_CreatesCompactedInternalStateTopic()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        Assert.False(harness.Broker.Cluster.TryGetTopic(TransactionCoordinator.StateTopicName, out _));

        harness.CoordinatorOf("txn");

        Assert.True(harness.Broker.Cluster.TryGetTopic(TransactionCoordinator.StateTopicName, out var topic));
        Assert.True(topic.IsInternal);
        Assert.Equal(5, topic.Partitions.Count);
        Assert.Equal("compact", topic.Config.Get("cleanup.policy"));
    }

    [Fact]
    public async Task InitProducerId_NewTransactionalId_ReturnsNewProducerIdAtEpochZero()
    {
        await using var harness = await TransactionTestHarness.StartAsync();

        var first = await harness.InitAsync("a");
        var second = await harness.InitAsync("b");

        Assert.Equal(ErrorCode.None, first.Error);
        Assert.Equal(0, first.ProducerEpoch);
        Assert.Equal(0, second.ProducerEpoch);
        Assert.NotEqual(first.ProducerId, second.ProducerId);
    }

    [Fact]
    public async Task InitProducerId_KnownTransactionalId_BumpsEpochAndFencesTheOldProducer()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var old = await harness.InitAsync("txn");

        var current = await harness.InitAsync("txn");

        Assert.Equal(old.ProducerId, current.ProducerId);
        Assert.Equal(old.ProducerEpoch + 1, current.ProducerEpoch);
        Assert.Equal(ErrorCode.ProducerFenced, await harness.AddAsync("txn", old, 0));
        Assert.Equal(ErrorCode.None, await harness.AddAsync("txn", current, 0));
    }

    [Fact]
    public async Task InitProducerId_OngoingTransaction_AbortsItAtABumpedEpochFirst()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var old = await harness.InitAsync("txn");
        Assert.Equal(ErrorCode.None, await harness.AddAsync("txn", old, 0));
        Assert.Equal(ErrorCode.None, await harness.ProduceAsync("txn", old, 0, count: 3));
        Assert.Equal(0, harness.Partition(TransactionTestHarness.Topic, 0).LastStableOffset);

        var current = await harness.InitAsync("txn");

        Assert.Equal(old.ProducerEpoch + 2, current.ProducerEpoch);
        var marker = Assert.Single(harness.Markers(TransactionTestHarness.Topic, 0));
        Assert.Equal((old.ProducerId, (short)(old.ProducerEpoch + 1), ControlRecordType.Abort), marker);
        var partition = harness.Partition(TransactionTestHarness.Topic, 0);
        Assert.Equal(4, partition.LastStableOffset);
        Assert.Equal(new AbortedTransaction(old.ProducerId, 0, 3), Assert.Single(partition.Transactions.AbortedIn(0, 4)));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, await harness.ProduceAsync("txn", old, 0, sequence: 3));
    }

    [Fact]
    public async Task InitProducerId_TimeoutAboveMaximum_ReturnsInvalidTransactionTimeout()
    {
        await using var harness = await TransactionTestHarness.StartAsync();

        var result = await harness.InitAsync("txn", timeoutMs: (int)TransactionDefaults.MaxTimeout.TotalMilliseconds + 1);

        Assert.Equal(ErrorCode.InvalidTransactionTimeout, result.Error);
    }

    [Fact]
    public async Task InitProducerId_EmptyTransactionalId_ReturnsInvalidRequest()
    {
        await using var harness = await TransactionTestHarness.StartAsync();

        var result = await harness.Coordinator.InitProducerIdAsync(0, "", 1000, -1, -1);

        Assert.Equal(ErrorCode.InvalidRequest, result.Error);
    }

    [Fact]
    public async Task InitProducerId_NodeNotCoordinating_ReturnsNotCoordinator()
    {
        await using var harness = await TransactionTestHarness.StartAsync(nodes: 2);
        var other = 1 - harness.CoordinatorOf("txn");

        var result = await harness.Coordinator.InitProducerIdAsync(other, "txn", 1000, -1, -1);

        Assert.Equal(ErrorCode.NotCoordinator, result.Error);
    }

    [Fact]
    public async Task InitProducerId_ExpectedEpochOfTheCurrentProducer_BumpsAndRemembersTheRetry()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var first = await harness.InitAsync("txn");

        var resumed = await harness.InitAsync("txn", producerId: first.ProducerId, epoch: first.ProducerEpoch);
        var retried = await harness.InitAsync("txn", producerId: first.ProducerId, epoch: first.ProducerEpoch);

        Assert.Equal(first.ProducerEpoch + 1, resumed.ProducerEpoch);
        Assert.Equal(resumed, retried);
    }

    [Fact]
    public async Task InitProducerId_ExpectedEpochFencedByANewProducer_ReturnsProducerFenced()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var zombie = await harness.InitAsync("txn");
        await harness.InitAsync("txn");

        var result = await harness.InitAsync("txn", producerId: zombie.ProducerId, epoch: zombie.ProducerEpoch);

        Assert.Equal(ErrorCode.ProducerFenced, result.Error);
    }

    [Fact]
    public async Task AddPartitionsToTxn_UnknownTransactionalId_ReturnsInvalidProducerIdMapping()
    {
        await using var harness = await TransactionTestHarness.StartAsync();

        var error = await harness.AddAsync("never-initialized", new InitProducerIdResult(ErrorCode.None, 42, 0), 0);

        Assert.Equal(ErrorCode.InvalidProducerIdMapping, error);
    }

    [Fact]
    public async Task AddPartitionsToTxn_AnotherProducerId_ReturnsInvalidProducerIdMapping()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn");

        var error = await harness.AddAsync("txn", producer with { ProducerId = producer.ProducerId + 100 }, 0);

        Assert.Equal(ErrorCode.InvalidProducerIdMapping, error);
    }

    [Fact]
    public async Task AddPartitionsToTxn_FirstPartition_TransactionOngoingWithStartTime()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn");

        Assert.Equal(ErrorCode.None, await harness.AddAsync("txn", producer, 0));
        Assert.Equal(ErrorCode.None, await harness.AddAsync("txn", producer, 1));

        var (error, snapshot) = harness.Coordinator.Describe(harness.CoordinatorOf("txn"), "txn");
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(TransactionState.Ongoing, snapshot!.State);
        Assert.Equal(harness.Time.GetUtcNow().ToUnixTimeMilliseconds(), snapshot.StartTimestamp);
        Assert.Equal([new TopicPartitionKey("t", 0), new TopicPartitionKey("t", 1)], snapshot.Partitions.OrderBy(p => p.Partition));
    }

    [Fact]
    public async Task Produce_PartitionNotAddedToTheTransaction_ReturnsInvalidTxnState()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn");
        await harness.AddAsync("txn", producer, 0);

        Assert.Equal(ErrorCode.InvalidTxnState, await harness.ProduceAsync("txn", producer, 1));
        Assert.Equal(ErrorCode.None, await harness.ProduceAsync("txn", producer, 0));
    }

    [Fact]
    public async Task EndTxn_Commit_WritesACommitMarkerToEveryPartitionAndAdvancesTheLastStableOffset()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn");
        await harness.AddAsync("txn", producer, 0, 1);
        await harness.ProduceAsync("txn", producer, 0, count: 2);
        Assert.Equal(0, harness.Partition(TransactionTestHarness.Topic, 0).LastStableOffset);
        Assert.Equal(2, harness.Partition(TransactionTestHarness.Topic, 0).HighWatermark);

        Assert.Equal(ErrorCode.None, await harness.EndAsync("txn", producer, commit: true));

        Assert.Equal((producer.ProducerId, producer.ProducerEpoch, ControlRecordType.Commit), Assert.Single(harness.Markers(TransactionTestHarness.Topic, 0)));
        Assert.Equal((producer.ProducerId, producer.ProducerEpoch, ControlRecordType.Commit), Assert.Single(harness.Markers(TransactionTestHarness.Topic, 1)));
        Assert.Equal(3, harness.Partition(TransactionTestHarness.Topic, 0).LastStableOffset);
        Assert.Empty(harness.Partition(TransactionTestHarness.Topic, 0).Transactions.AbortedIn(0, 3));
        Assert.Equal(TransactionState.CompleteCommit, harness.Coordinator.Describe(harness.CoordinatorOf("txn"), "txn").Transaction!.State);
    }

    [Fact]
    public async Task EndTxn_Abort_IndexesTheAbortedTransaction()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn");
        await harness.AddAsync("txn", producer, 0);
        await harness.ProduceAsync("txn", producer, 0, count: 2);

        Assert.Equal(ErrorCode.None, await harness.EndAsync("txn", producer, commit: false));

        var partition = harness.Partition(TransactionTestHarness.Topic, 0);
        Assert.Equal(new AbortedTransaction(producer.ProducerId, 0, 2), Assert.Single(partition.Transactions.AbortedIn(0, 3)));
        Assert.Empty(partition.Transactions.AbortedIn(3, 10));
        Assert.Equal(3, partition.LastStableOffset);
    }

    [Fact]
    public async Task EndTxn_RetriedAfterCommit_ReturnsNoneButAbortReturnsInvalidTxnState()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn");
        await harness.AddAsync("txn", producer, 0);
        await harness.EndAsync("txn", producer, commit: true);

        Assert.Equal(ErrorCode.None, await harness.EndAsync("txn", producer, commit: true));
        Assert.Equal(ErrorCode.InvalidTxnState, await harness.EndAsync("txn", producer, commit: false));
        Assert.Single(harness.Markers(TransactionTestHarness.Topic, 0));
    }

    [Fact]
    public async Task EndTxn_NoOpenTransaction_ReturnsInvalidTxnState()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn");

        Assert.Equal(ErrorCode.InvalidTxnState, await harness.EndAsync("txn", producer, commit: true));
    }

    [Fact]
    public async Task EndTxn_StaleEpoch_ReturnsProducerFenced()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var old = await harness.InitAsync("txn");
        var current = await harness.InitAsync("txn");
        await harness.AddAsync("txn", current, 0);

        Assert.Equal(ErrorCode.ProducerFenced, await harness.EndAsync("txn", old, commit: true));
    }

    [Fact]
    public async Task EndTxn_PartitionLeaderOffline_AnswersNoneAndFinishesOnceTheLeaderReturns()
    {
        await using var harness = await TransactionTestHarness.StartAsync(nodes: 2, o => o.SeedTopics.Clear());
        var coordinator = harness.CoordinatorOf("txn");
        var other = 1 - coordinator;
        Assert.Equal(ErrorCode.None, harness.Broker.Cluster.CreateTopic("solo", -1, -1, [[other]], new Dictionary<string, string?>(), validateOnly: false).Error);
        var producer = await harness.InitAsync("txn");
        Assert.Equal(ErrorCode.None, await harness.Coordinator.AddPartitionsAsync(coordinator, "txn", producer.ProducerId, producer.ProducerEpoch, [new TopicPartitionKey("solo", 0)]));
        await harness.Broker.StopNodeAsync(other);

        Assert.Equal(ErrorCode.None, await harness.EndAsync("txn", producer, commit: true));
        Assert.Equal(TransactionState.PrepareCommit, harness.Coordinator.Describe(coordinator, "txn").Transaction!.State);
        Assert.Equal(ErrorCode.ConcurrentTransactions, await harness.AddAsync("txn", producer, 0));

        await harness.Broker.StartNodeAsync(other);
        await harness.Coordinator.RunMaintenanceAsync();

        Assert.Equal(TransactionState.CompleteCommit, harness.Coordinator.Describe(coordinator, "txn").Transaction!.State);
        Assert.Equal(ControlRecordType.Commit, Assert.Single(harness.Markers("solo", 0)).Type);
    }

    [Fact]
    public async Task RunMaintenance_TransactionPastItsTimeout_AbortsItAndFencesTheProducer()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn", timeoutMs: 5000);
        await harness.AddAsync("txn", producer, 0);
        await harness.ProduceAsync("txn", producer, 0, count: 2);

        harness.Time.Advance(TimeSpan.FromMilliseconds(4999));
        await harness.Coordinator.RunMaintenanceAsync();
        Assert.Equal(TransactionState.Ongoing, harness.Coordinator.Describe(0, "txn").Transaction!.State);

        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await harness.Coordinator.RunMaintenanceAsync();

        var snapshot = harness.Coordinator.Describe(0, "txn").Transaction!;
        Assert.Equal(TransactionState.CompleteAbort, snapshot.State);
        Assert.Equal(producer.ProducerEpoch + 1, snapshot.ProducerEpoch);
        Assert.Equal((producer.ProducerId, (short)(producer.ProducerEpoch + 1), ControlRecordType.Abort), Assert.Single(harness.Markers(TransactionTestHarness.Topic, 0)));
        Assert.Equal(3, harness.Partition(TransactionTestHarness.Topic, 0).LastStableOffset);
        Assert.Equal(ErrorCode.ProducerFenced, await harness.EndAsync("txn", producer, commit: true));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, await harness.ProduceAsync("txn", producer, 0, sequence: 2));
    }

    [Fact]
    public async Task InitProducerId_ProducerOfATimedOutTransaction_ClaimsTheBumpedEpoch()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("txn", timeoutMs: 1000);
        await harness.AddAsync("txn", producer, 0);
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        await harness.Coordinator.RunMaintenanceAsync();

        // KIP-588: the fenced producer resumes with its id and old epoch and gets the epoch of the abort.
        var resumed = await harness.InitAsync("txn", timeoutMs: 1000, producerId: producer.ProducerId, epoch: producer.ProducerEpoch);

        Assert.Equal(ErrorCode.None, resumed.Error);
        Assert.Equal(producer.ProducerEpoch + 1, resumed.ProducerEpoch);
        Assert.Equal(ErrorCode.None, await harness.AddAsync("txn", resumed, 0));
    }

    [Fact]
    public async Task Timer_AbortTimedOutInterval_AbortsExpiredTransactions()
    {
        await using var harness = await TransactionTestHarness.StartAsync(configure: o => o.TransactionAbortTimedOutInterval = TimeSpan.FromSeconds(1));
        var producer = await harness.InitAsync("txn", timeoutMs: 1000);
        await harness.AddAsync("txn", producer, 0);

        harness.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.True(await Poll.TryUntilAsync(() => harness.Coordinator.Describe(0, "txn").Transaction!.State == TransactionState.CompleteAbort));
    }

    [Fact]
    public async Task ListTransactions_Coordinator_ListsItsTransactionalIds()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        var producer = await harness.InitAsync("b");
        await harness.InitAsync("a");
        await harness.AddAsync("b", producer, 0);

        var (error, listed) = harness.Coordinator.List(0);

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(["a", "b"], listed.Select(t => t.TransactionalId));
        Assert.Equal([TransactionState.Empty, TransactionState.Ongoing], listed.Select(t => t.State));
    }

    [Fact]
    public async Task Describe_UnknownTransactionalId_ReturnsTransactionalIdNotFound()
    {
        await using var harness = await TransactionTestHarness.StartAsync();
        harness.CoordinatorOf("x");

        Assert.Equal(ErrorCode.TransactionalIdNotFound, harness.Coordinator.Describe(0, "x").Error);
    }

    [Fact]
    public async Task StopNode_CoordinatorNodeStopped_NewLeaderReplaysStateAndEndsTheTransaction()
    {
        await using var harness = await TransactionTestHarness.StartAsync(nodes: 3);
        var oldCoordinator = harness.CoordinatorOf("txn");
        var producer = await harness.InitAsync("txn");
        await harness.AddAsync("txn", producer, 0, 1);
        await harness.ProduceAsync("txn", producer, 0, count: 2);

        await harness.Broker.StopNodeAsync(oldCoordinator);
        var newCoordinator = harness.CoordinatorOf("txn");
        Assert.NotEqual(oldCoordinator, newCoordinator);
        Assert.True(await Poll.TryUntilAsync(() => harness.Coordinator.Describe(newCoordinator, "txn").Error == ErrorCode.None));

        var replayed = harness.Coordinator.Describe(newCoordinator, "txn").Transaction!;
        Assert.Equal(TransactionState.Ongoing, replayed.State);
        Assert.Equal(producer.ProducerId, replayed.ProducerId);
        Assert.Equal(producer.ProducerEpoch, replayed.ProducerEpoch);
        Assert.Equal(2, replayed.Partitions.Count);
        Assert.Equal(ErrorCode.NotCoordinator, (await harness.Coordinator.InitProducerIdAsync(oldCoordinator, "txn", 1000, -1, -1)).Error);

        Assert.Equal(ErrorCode.None, await harness.EndAsync("txn", producer, commit: true));
        Assert.Equal(ControlRecordType.Commit, Assert.Single(harness.Markers(TransactionTestHarness.Topic, 0)).Type);
        Assert.Equal(3, harness.Partition(TransactionTestHarness.Topic, 0).LastStableOffset);
    }

    [Fact]
    public async Task StopNode_CoordinatorStoppedWhilePrepared_NewLeaderWritesTheMarkers()
    {
        await using var harness = await TransactionTestHarness.StartAsync(nodes: 3, o => o.SeedTopics.Clear());
        var coordinator = harness.CoordinatorOf("txn");
        var partitionNode = (coordinator + 1) % 3;
        Assert.Equal(ErrorCode.None, harness.Broker.Cluster.CreateTopic("solo", -1, -1, [[partitionNode]], new Dictionary<string, string?>(), validateOnly: false).Error);
        var producer = await harness.InitAsync("txn");
        await harness.Coordinator.AddPartitionsAsync(coordinator, "txn", producer.ProducerId, producer.ProducerEpoch, [new TopicPartitionKey("solo", 0)]);
        await harness.Broker.StopNodeAsync(partitionNode);
        Assert.Equal(ErrorCode.None, await harness.EndAsync("txn", producer, commit: false));
        Assert.Equal(TransactionState.PrepareAbort, harness.Coordinator.Describe(coordinator, "txn").Transaction!.State);

        await harness.Broker.StartNodeAsync(partitionNode);
        await harness.Broker.StopNodeAsync(coordinator);
        var newCoordinator = harness.CoordinatorOf("txn");

        Assert.True(await Poll.TryUntilAsync(() => harness.Coordinator.Describe(newCoordinator, "txn").Transaction?.State == TransactionState.CompleteAbort));
        Assert.Equal(ControlRecordType.Abort, Assert.Single(harness.Markers("solo", 0)).Type);
    }
}

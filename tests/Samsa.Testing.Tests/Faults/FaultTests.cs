using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Samsa.Protocol;
using Samsa.Testing.Faults;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Testing.Tests.Faults;

/// <summary>Each fault as a real Confluent.Kafka client sees it, and the cluster back to normal once it is lifted.</summary>
public sealed class FaultTests : ClusterTestBase
{
    [Fact]
    public async Task FailNext_Produce_ClientGetsExactlyThatErrorAndNothingIsAppended()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer(c => c.MessageSendMaxRetries = 0);
        var fault = Kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.NotEnoughReplicas);

        var error = await Assert.ThrowsAsync<ProduceException<string, string>>(() => ProduceAsync(producer, topic, "lost"));
        var next = await ProduceAsync(producer, topic, "kept");

        Assert.Equal(Confluent.Kafka.ErrorCode.NotEnoughReplicas, error.Error.Code);
        Assert.Equal(1, fault.TimesApplied);
        Assert.False(fault.IsActive);
        Assert.Equal(0, next.Offset.Value);
        Assert.Equal(["kept"], (await Kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task FailNext_RetriableProduceError_ClientRetriesAndTheLogShowsBothAttempts()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer(c => c.RetryBackoffMs = 10);
        Kafka.Faults.FailNext(ApiKey.Produce, Confluent.Kafka.ErrorCode.NotEnoughReplicas, count: 2);

        var delivered = await ProduceAsync(producer, topic, "eventually");

        Assert.Equal(0, delivered.Offset.Value);
        var attempts = Kafka.Requests.Where(r => r.Api == ApiKey.Produce).SelectMany(r => r.Partitions).Select(p => p.Error).ToList();
        Assert.Equal([ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas, ErrorCode.None], attempts);
    }

    [Fact]
    public async Task FailNext_CommitOfOnePartition_OnlyThatPartitionFailsAndTheOtherIsStored()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName(), partitions: 2);
        var group = KafkaTestCluster.UniqueName("group");
        using var consumer = new ConsumerBuilder<string, string>(Kafka.ConsumerConfig(group)).Build();
        Kafka.Faults.FailNext(ApiKey.OffsetCommit, ErrorCode.OffsetMetadataTooLarge, filter: new RequestFilter { Topic = topic, Partition = 1 });

        var error = Assert.Throws<KafkaException>(() => consumer.Commit([new TopicPartitionOffset(topic, 0, 5), new TopicPartitionOffset(topic, 1, 6)]));

        Assert.Equal(Confluent.Kafka.ErrorCode.OffsetMetadataTooLarge, error.Error.Code);
        var logged = Kafka.Requests.Single(r => r.Api == ApiKey.OffsetCommit).Partitions;
        Assert.Equal([(0, ErrorCode.None), (1, ErrorCode.OffsetMetadataTooLarge)], logged.Select(p => (p.Partition!.Value, p.Error)).Order());
        Assert.Equal(5, await Kafka.GetCommittedOffsetAsync(group, topic, 0));
        Assert.Null(await Kafka.GetCommittedOffsetAsync(group, topic, 1));

        consumer.Commit([new TopicPartitionOffset(topic, 1, 6)]);
        Assert.Equal(6, await Kafka.GetCommittedOffsetAsync(group, topic, 1));
    }

    [Fact]
    public async Task FailNext_ByClientId_OnlyThatClientFails()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var billing = Producer(c => { c.ClientId = "billing"; c.MessageSendMaxRetries = 0; });
        using var shipping = Producer(c => { c.ClientId = "shipping"; c.MessageSendMaxRetries = 0; });
        using var fault = Kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.PolicyViolation, count: null, new RequestFilter { ClientId = "billing" });

        var shipped = await ProduceAsync(shipping, topic, "shipped");
        var error = await Assert.ThrowsAsync<ProduceException<string, string>>(() => ProduceAsync(billing, topic, "billed"));

        Assert.Equal(PersistenceStatus.Persisted, shipped.Status);
        Assert.Equal(Confluent.Kafka.ErrorCode.PolicyViolation, error.Error.Code);
        fault.Lift();
        Assert.Equal(1, (await ProduceAsync(billing, topic, "billed")).Offset.Value);
    }

    [Fact]
    public async Task FailNext_Fetch_ConsumerRetriesAndReadsTheRecord()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer();
        await ProduceAsync(producer, topic, "after-errors");
        var fault = Kafka.Faults.FailNext(ApiKey.Fetch, ErrorCode.NotLeaderOrFollower, count: 2, new RequestFilter { Topic = topic });
        using var consumer = new ConsumerBuilder<string, string>(Kafka.ConsumerConfig()).Build();

        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var record = consumer.Consume(Wait);

        Assert.Equal("after-errors", record?.Message.Value);
        Assert.Equal(2, fault.TimesApplied);
        var fetches = Kafka.Requests.Where(r => r.Api == ApiKey.Fetch && r.Partitions.Any(p => p.Topic == topic)).ToList();
        Assert.Equal([ErrorCode.NotLeaderOrFollower, ErrorCode.NotLeaderOrFollower], fetches.Take(2).Select(f => f.Partitions.Single().Error));
    }

    [Fact]
    public async Task FailNext_GroupApi_ClientSeesTheGroupError()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        var group = KafkaTestCluster.UniqueName("group");
        using var consumer = new ConsumerBuilder<string, string>(Kafka.ConsumerConfig(group)).Build();
        Kafka.Faults.FailNext(ApiKey.OffsetCommit, ErrorCode.GroupAuthorizationFailed, filter: new RequestFilter { GroupId = group });

        var error = Assert.Throws<KafkaException>(() => consumer.Commit([new TopicPartitionOffset(topic, 0, 1)]));

        Assert.Equal(Confluent.Kafka.ErrorCode.GroupAuthorizationFailed, error.Error.Code);
        Assert.Null(await Kafka.GetCommittedOffsetAsync(group, topic, 0));
        consumer.Commit([new TopicPartitionOffset(topic, 0, 1)]);
        Assert.Equal(1, await Kafka.GetCommittedOffsetAsync(group, topic, 0));
    }

    [Fact]
    public async Task DelayNext_Produce_AcknowledgementComesAfterTheDelay()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer();
        await ProduceAsync(producer, topic, "warm-up");
        var delay = TimeSpan.FromMilliseconds(400);
        Kafka.Faults.DelayNext(ApiKey.Produce, delay);

        var clock = Stopwatch.StartNew();
        var delayed = await ProduceAsync(producer, topic, "late");
        var elapsed = clock.Elapsed;
        var prompt = await ProduceAsync(producer, topic, "on-time");

        // Timers tick on a coarser clock than Stopwatch, so a delay may measure a hair short (CI saw 399.98 ms):
        // allow one timer tick, still far above an undelayed acknowledgement (a few ms).
        var timerGranularity = TimeSpan.FromMilliseconds(16);
        Assert.True(elapsed >= delay - timerGranularity, $"acknowledged after {elapsed.TotalMilliseconds} ms, before the {delay.TotalMilliseconds} ms delay");
        Assert.Equal([1L, 2L], [delayed.Offset.Value, prompt.Offset.Value]);
        Assert.Equal([FaultKind.Delay], Kafka.Requests.Single(r => r.Api == ApiKey.Produce && r.Partitions[0].Offset == 1).Faults);
        Assert.Empty(Kafka.Requests.Single(r => r.Api == ApiKey.Produce && r.Partitions[0].Offset == 2).Faults);
    }

    [Fact]
    public async Task DisconnectNext_Produce_ClientSeesTheConnectionCloseAndDeliversOnRetry()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer(c => c.RetryBackoffMs = 10);
        await ProduceAsync(producer, topic, "warm-up");
        var fault = Kafka.Faults.DisconnectNext(ApiKey.Produce);

        var delivered = await ProduceAsync(producer, topic, "retried");

        Assert.Equal(1, fault.TimesApplied);
        Assert.Equal(1, delivered.Offset.Value);
        var produces = Kafka.Requests.Where(r => r.Api == ApiKey.Produce).ToList();
        Assert.Equal([[], [FaultKind.Disconnect], []], produces.Select(r => r.Faults.ToArray()));
        Assert.NotEqual(produces[1].ConnectionId, produces[2].ConnectionId);
        Assert.Equal(["warm-up", "retried"], (await Kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task DropConnections_ByClientId_ClientReconnectsAndOthersKeepTheirConnections()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var dropped = Producer(c => c.ClientId = "dropped");
        using var kept = Producer(c => c.ClientId = "kept");
        await ProduceAsync(dropped, topic, "one");
        await ProduceAsync(kept, topic, "two");
        var keptConnections = Kafka.Requests.Where(r => r.ClientId == "kept").Select(r => r.ConnectionId).ToHashSet();
        var droppedConnections = Kafka.Requests.Where(r => r.ClientId == "dropped").Select(r => r.ConnectionId).ToHashSet();
        Kafka.Requests.Clear();

        var count = Kafka.Faults.DropConnections("dropped");
        await ProduceAsync(dropped, topic, "three");
        await ProduceAsync(kept, topic, "four");

        Assert.InRange(count, 1, droppedConnections.Count);
        Assert.DoesNotContain(Kafka.Requests.Where(r => r.ClientId == "dropped"), r => droppedConnections.Contains(r.ConnectionId));
        Assert.Subset(keptConnections, Kafka.Requests.Where(r => r.ClientId == "kept").Select(r => r.ConnectionId).ToHashSet());
        Assert.Equal(["one", "two", "three", "four"], (await Kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task Throttle_Produce_ClientReportsTheThrottleTime()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        var throttled = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var producer = new ProducerBuilder<string, string>(Kafka.ProducerConfig(c => c.StatisticsIntervalMs = 100))
            .SetStatisticsHandler((_, json) =>
            {
                using var stats = JsonDocument.Parse(json);
                foreach (var broker in stats.RootElement.GetProperty("brokers").EnumerateObject())
                {
                    var max = broker.Value.GetProperty("throttle").GetProperty("max").GetInt64();
                    if (max > 0)
                    {
                        throttled.TrySetResult(max);
                    }
                }
            })
            .Build();
        using var fault = Kafka.Faults.Throttle(ApiKey.Produce, TimeSpan.FromMilliseconds(250));

        await ProduceAsync(producer, topic, "throttled");
        var reported = await throttled.Task.WaitAsync(Wait, TestContext.Current.CancellationToken);

        Assert.Equal(250, reported);
        fault.Lift();
        var next = await ProduceAsync(producer, topic, "free");
        Assert.Equal(1, next.Offset.Value);
        Assert.Empty(Kafka.Requests.Last(r => r.Api == ApiKey.Produce).Faults);
    }

    [Fact]
    public async Task PauseFetches_Partition_ConsumerGetsNothingUntilLifted()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer();
        var pause = Kafka.Faults.PauseFetches(new RequestFilter { Topic = topic });
        await ProduceAsync(producer, topic, "held");
        using var consumer = new ConsumerBuilder<string, string>(Kafka.ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));

        // Fetches at offset 0 were served (and came back empty) while the record was there.
        for (var served = 0; served < 3;)
        {
            Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(20)));
            served = Kafka.Requests.Count(r => r.Api == ApiKey.Fetch && r.Faults.Contains(FaultKind.PauseFetch) && r.Partitions.Any(p => p.Topic == topic && p.Offset == 0));
        }

        pause.Lift();
        var record = consumer.Consume(Wait);

        Assert.Equal("held", record?.Message.Value);
    }

    [Fact]
    public async Task MakeLeaderless_Partition_ProduceWaitsUntilTheLeaderIsBack()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer();
        await ProduceAsync(producer, topic, "before");
        var leaderless = Kafka.Faults.MakeLeaderless(topic, 0);
        Kafka.Requests.Clear();

        // Forces a metadata refresh, as a client that lost its leader would.
        Kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.NotLeaderOrFollower);
        var pending = ProduceAsync(producer, topic, "while-leaderless");
        await Kafka.Requests.WaitForAsync(r => r.Api == ApiKey.Metadata && r.Faults.Contains(FaultKind.Leaderless), Wait, TestContext.Current.CancellationToken);

        Assert.False(pending.IsCompleted);
        leaderless.Lift();
        var delivered = await pending.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal(1, delivered.Offset.Value);
    }

    [Fact]
    public async Task MakeLeaderless_ForADuration_LiftsItself()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        var warmUp = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer();

        // Connected first, so the topic's first metadata request goes out at once and meets the outage (a cold
        // producer on a loaded machine could start after a short outage is already over).
        await ProduceAsync(producer, warmUp, "warm-up");
        var fault = Kafka.Faults.MakeLeaderless(topic, 0, TimeSpan.FromSeconds(1));
        var delivered = await ProduceAsync(producer, topic, "after-the-outage").WaitAsync(Wait, TestContext.Current.CancellationToken);

        Assert.Equal(0, delivered.Offset.Value);
        Assert.False(fault.IsActive);
        Assert.Contains(Kafka.Requests, r => r.Api == ApiKey.Metadata && r.Faults.Contains(FaultKind.Leaderless));
    }
}

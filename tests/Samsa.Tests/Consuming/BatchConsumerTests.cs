using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;
using Samsa.DependencyInjection;
using Samsa.TestUtils;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>Batch handlers (<see cref="IEventBatchHandler{TEvent}"/>) against the embedded broker over TCP.</summary>
public sealed class BatchConsumerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Records every batch (partition, ids in order, attempt of each) and does what the events say.</summary>
    public sealed class BatchRecorder : IEventBatchHandler<TestEvent>
    {
        private readonly ConcurrentQueue<(int Partition, int[] Ids, int[] Attempts)> _batches = new();

        public IReadOnlyList<(int Partition, int[] Ids, int[] Attempts)> Batches => [.. _batches];

        /// <summary>Throws for the whole batch when any event of it says <c>batch</c>.</summary>
        public ValueTask HandleAsync(IReadOnlyList<ConsumedRecord<TestEvent>> records, ConsumeBatchContext context, CancellationToken cancellationToken)
        {
            Assert.All(records, r => Assert.Equal(context.Partition, r.Partition));
            _batches.Enqueue((context.Partition, [.. records.Select(r => r.Event.Id)], [.. records.Select(r => r.Attempt)]));
            if (records.Any(r => r.Event.Fail == "batch" && r.Attempt == 1 && records.Count > 1))
            {
                throw new TimeoutException("the whole batch timed out");
            }

            foreach (var record in records)
            {
                if (record.Event.Fail == "permanent")
                {
                    context.Fail(record, new PermanentFailureException($"event {record.Event.Id} can never be handled"));
                }
                else
                {
                    context.Publish(new TestEvent(record.Event.Id), new Samsa.Publishing.PublishOptions { Topic = "outputs", Key = $"k-{record.Event.Id}" });
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Creates the topics before the consumer starts, so records produced first are all waiting when it does.</summary>
    private static async Task CreateTopicsAsync(EmbeddedBroker broker)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([
            new Confluent.Kafka.Admin.TopicSpecification { Name = "orders", NumPartitions = 1, ReplicationFactor = 1 },
            new Confluent.Kafka.Admin.TopicSpecification { Name = "outputs", NumPartitions = 1, ReplicationFactor = 1 }]);
    }

    private static IHost BuildBatchHost(EmbeddedBroker broker, BatchRecorder handler, int partitions, Action<ConsumerOptions>? configure = null) =>
        SamsaTestHost.Build(broker.BootstrapServers, samsa =>
        {
            samsa.Services.AddSingleton(handler);
            samsa.AddTopic("orders", t => t.Partitions = partitions)
                .AddTopic("outputs", t => t.Partitions = 1)
                .AddBatchConsumer<BatchRecorder, TestEvent>("orders", "billing", options =>
                {
                    Fast(options);
                    options.Retry.MaxAttempts = 1;
                    configure?.Invoke(options);
                });
        });

    [Fact]
    public async Task BatchConsumer_MoreRecordsThanMaxBatchSize_FullBatchesInOffsetOrderThenTheRestWhenTheWaitEnds()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new BatchRecorder();
        await CreateTopicsAsync(broker);

        // All 250 are there before the consumer starts, so the batches fill; the last 50 go when the wait ends.
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 250).Select(i => new TestEvent(i)), partition: 0);
        using var host = BuildBatchHost(broker, handler, partitions: 1, options =>
        {
            options.MaxBatchSize = 100;
            options.MaxBatchWait = TimeSpan.FromSeconds(2);
        });
        await host.StartAsync(Token);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 250, "every record committed");
        var batches = handler.Batches;
        Assert.Equal([100, 100, 50], batches.Select(b => b.Ids.Length));
        Assert.Equal(Enumerable.Range(0, 250), batches.SelectMany(b => b.Ids));
        Assert.Equal(250, ReadAll(broker, "outputs", 250, partitions: 1).Count);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task BatchConsumer_FewerRecordsThanMaxBatchSize_HandedOverWhenTheWaitEnds()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new BatchRecorder();
        using var host = BuildBatchHost(broker, handler, partitions: 1, options =>
        {
            options.MaxBatchSize = 1000;
            options.MaxBatchWait = TimeSpan.FromMilliseconds(300);
        });
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(1);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 3).Select(i => new TestEvent(i)), partition: 0);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 3, "the three records committed");
        Assert.Equal(Enumerable.Range(0, 3), handler.Batches.SelectMany(b => b.Ids));
        Assert.All(handler.Batches, b => Assert.True(b.Ids.Length < 1000));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task BatchConsumer_OneRecordMarkedFailed_ItAloneDeadLetteredAndTheOthersCommitted()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new BatchRecorder();
        await CreateTopicsAsync(broker);
        await ProduceAsync(broker, "orders", [new TestEvent(0), new TestEvent(1), new TestEvent(2, "permanent"), new TestEvent(3), new TestEvent(4)], partition: 0);
        using var host = BuildBatchHost(broker, handler, partitions: 1, options => options.MaxBatchWait = TimeSpan.FromSeconds(1));
        await host.StartAsync(Token);

        var dead = Assert.Single(ReadAll(broker, "orders.dlq", 1, partitions: 1));
        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 5, "every record settled");
        Assert.Equal(2, Event(dead).Id);
        Assert.Equal(DeadLetterReasons.Permanent, Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal([0, 1, 3, 4], ReadAll(broker, "outputs", 4, partitions: 1).Select(r => Event(r).Id).Order());
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task BatchConsumer_HandlerThrows_EachRecordRetriedAloneAndCommittedInOrder()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new BatchRecorder();
        await CreateTopicsAsync(broker);
        await ProduceAsync(broker, "orders", [new TestEvent(0), new TestEvent(1, "batch"), new TestEvent(2)], partition: 0);
        using var host = BuildBatchHost(broker, handler, partitions: 1, options =>
        {
            options.MaxBatchWait = TimeSpan.FromSeconds(1);
            options.Retry.MaxAttempts = 2;
        });
        await host.StartAsync(Token);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 3, "every record committed");
        var batches = handler.Batches;
        Assert.Equal([0, 1, 2], batches[0].Ids);

        // Then each record of the failed batch once more, alone (attempt 2), in offset order.
        Assert.Equal([[0], [1], [2]], batches.Skip(1).Select(b => b.Ids));
        Assert.All(batches.Skip(1), b => Assert.Equal([2], b.Attempts));
        Assert.Empty(ReadAll(broker, "orders.dlq", 0, partitions: 1, timeout: TimeSpan.Zero));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task BatchConsumer_ExactlyOnce_BatchOutputsAndOffsetsCommittedTogether()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new BatchRecorder();
        await CreateTopicsAsync(broker);
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 120).Select(i => new TestEvent(i, i == 50 ? "permanent" : null)), partition: 0);
        using var host = BuildBatchHost(broker, handler, partitions: 1, options =>
        {
            options.ExactlyOnce = true;
            options.MaxBatchSize = 40;
            options.MaxBatchWait = TimeSpan.FromSeconds(1);
        });
        await host.StartAsync(Token);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders", 1).GetAwaiter().GetResult()[0] == 120, "every input offset committed");
        using var reader = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(broker.ConsumerConfig($"read-{Guid.NewGuid():N}")) { IsolationLevel = IsolationLevel.ReadCommitted }).Build();
        reader.Assign(new TopicPartitionOffset("outputs", 0, Offset.Beginning));
        var outputs = reader.ConsumeMany(119, Wait).Select(r => Event(r).Id).ToList();

        // Every input but the dead-lettered one has exactly one committed output, though its batch ran twice.
        Assert.Equal(Enumerable.Range(0, 120).Where(i => i != 50), outputs.Order());
        Assert.Equal(50, Event(Assert.Single(ReadAll(broker, "orders.dlq", 1, partitions: 1))).Id);
        Assert.True(handler.Batches.Count(b => b.Ids.Contains(51)) == 2, "the failed batch's records were handled again, each alone");
        await host.StopAsync(Token);
    }
}

using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Groups;
using Samsa.Broker.Replication;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Records;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Transactions;

/// <summary>
/// A broker on a fake clock with a seeded topic, and helpers that play a transactional producer
/// against its <see cref="TransactionCoordinator"/> directly (no network).
/// </summary>
internal sealed class TransactionTestHarness : IAsyncDisposable
{
    public const string Topic = "t";
    public const int TimeoutMs = 60_000;

    private TransactionTestHarness(SamsaBroker broker, FakeTimeProvider time)
    {
        Broker = broker;
        Time = time;
    }

    public SamsaBroker Broker { get; }

    public FakeTimeProvider Time { get; }

    public TransactionCoordinator Coordinator => Broker.Transactions;

    public static async Task<TransactionTestHarness> StartAsync(int nodes = 1, Action<BrokerOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new BrokerOptions
        {
            NodeCount = nodes,
            DefaultReplicationFactor = (short)nodes,
            TimeProvider = time,
            TransactionStateTopicPartitions = 5,
            OffsetsTopicPartitions = 5,
        };
        options.SeedTopics[Topic] = 2;
        configure?.Invoke(options);
        return new TransactionTestHarness(await SamsaBroker.StartAsync(options), time);
    }

    /// <summary>The node coordinating <paramref name="transactionalId"/>.</summary>
    public int CoordinatorOf(string transactionalId)
    {
        var (error, node) = Coordinator.FindCoordinator(transactionalId);
        Assert.Equal(ErrorCode.None, error);
        return node!.Id;
    }

    public Partition Partition(string topic, int index)
    {
        Assert.True(Broker.Cluster.TryGetTopic(topic, out var state));
        return state.Partitions[index];
    }

    public Task<InitProducerIdResult> InitAsync(string transactionalId, int timeoutMs = TimeoutMs, long producerId = -1, short epoch = -1) =>
        Coordinator.InitProducerIdAsync(CoordinatorOf(transactionalId), transactionalId, timeoutMs, producerId, epoch);

    public Task<ErrorCode> AddAsync(string transactionalId, InitProducerIdResult producer, params int[] partitions) =>
        Coordinator.AddPartitionsAsync(CoordinatorOf(transactionalId), transactionalId, producer.ProducerId, producer.ProducerEpoch, partitions.Select(p => new TopicPartitionKey(Topic, p)).ToList());

    public Task<ErrorCode> EndAsync(string transactionalId, InitProducerIdResult producer, bool commit) =>
        Coordinator.EndTransactionAsync(CoordinatorOf(transactionalId), transactionalId, producer.ProducerId, producer.ProducerEpoch, commit);

    /// <summary>Produces <paramref name="count"/> records in the transaction, as ProduceHandler does: checked, then appended on the leader.</summary>
    public async Task<ErrorCode> ProduceAsync(string transactionalId, InitProducerIdResult producer, int partition, int count = 1, int sequence = 0)
    {
        var target = Partition(Topic, partition);
        var (error, outcome) = await Coordinator.RunInTransactionAsync(
            transactionalId,
            producer.ProducerId,
            producer.ProducerEpoch,
            new TopicPartitionKey(Topic, partition),
            () => Task.FromResult(target.Append(target.Leadership.LeaderId, Batch(producer, count, sequence), acks: -1)),
            ErrorCode.NotEnoughReplicas);
        return error != ErrorCode.None ? error : outcome.Error;
    }

    public static byte[] Batch(InitProducerIdResult producer, int count, int sequence)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, 256)
        {
            ProducerId = producer.ProducerId,
            ProducerEpoch = producer.ProducerEpoch,
            BaseSequence = sequence,
            IsTransactional = true,
        };
        for (var i = 0; i < count; i++)
        {
            builder.Append(0, null, new byte[] { (byte)i });
        }

        return builder.ToArray();
    }

    /// <summary>The control records of a partition, in log order: (producer id, type).</summary>
    public List<(long ProducerId, short Epoch, ControlRecordType Type)> Markers(string topic, int index)
    {
        var partition = Partition(topic, index);
        var result = new List<(long, short, ControlRecordType)>();
        var offset = partition.LogStartOffset;
        while (offset < partition.HighWatermark)
        {
            var read = partition.Read(partition.Leadership.LeaderId, offset, 1 << 20);
            using var data = read.Data;
            var reader = new RecordBatchReader(data.Records);
            while (reader.TryReadNext(out var batch))
            {
                offset = batch.Header.LastOffset + 1;
                if (batch.Header.IsControl)
                {
                    result.Add((batch.Header.ProducerId, batch.Header.ProducerEpoch, ControlRecord.ReadType(batch.ReadRecords()[0].Key!.Value.Span)));
                }
            }
        }

        return result;
    }

    public ValueTask DisposeAsync() => Broker.DisposeAsync();
}

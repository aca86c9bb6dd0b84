using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>A broker restarted from its data directory serves what it acknowledged.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-durability-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    private Task<EmbeddedBroker> StartAsync(int nodes = 1) => EmbeddedBroker.StartAsync(o =>
    {
        o.DataDirectory = _dataDirectory.FullName;
        o.NodeCount = nodes;
        o.DefaultReplicationFactor = (short)nodes;
    });

    private static async Task<List<string>> ProduceAsync(EmbeddedBroker broker, string topic, int count, int start = 0)
    {
        var values = new List<string>();
        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c => c.LingerMs = 20)).Build();
        for (var i = start; i < start + count; i++)
        {
            var value = $"{topic}-{i}";
            values.Add(value);
            producer.Produce(topic, new Message<Null, string> { Value = value });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        return values;
    }

    private static List<string> ConsumeAll(EmbeddedBroker broker, string topic, int partitions, int expected)
    {
        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer.ConsumeMany(expected, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value).ToList();
    }

    [Fact]
    public async Task Restart_FromDataDirectory_ServesEveryAcknowledgedRecordAndTopicSettings()
    {
        List<string> written;
        Guid topicId;
        await using (var broker = await StartAsync(nodes: 2))
        {
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
            {
                await admin.CreateTopicsAsync([new TopicSpecification
                {
                    Name = "kept",
                    NumPartitions = 3,
                    ReplicationFactor = 2,
                    Configs = new Dictionary<string, string> { ["retention.ms"] = "86400000", ["segment.bytes"] = "65536" },
                }]);
            }

            written = await ProduceAsync(broker, "kept", 20_000);
            broker.Broker.Cluster.TryGetTopic("kept", out var topic);
            topicId = topic.Id;
        }

        await using (var restarted = await StartAsync(nodes: 2))
        {
            Assert.True(restarted.Broker.Cluster.TryGetTopic("kept", out var topic));
            Assert.Equal(topicId, topic.Id);
            Assert.Equal(3, topic.Partitions.Count);
            Assert.Equal("86400000", topic.Config.Get("retention.ms"));
            Assert.Equal(written.Order(StringComparer.Ordinal), ConsumeAll(restarted, "kept", 3, written.Count).Order(StringComparer.Ordinal));

            // Writing continues after the recovered end.
            var more = await ProduceAsync(restarted, "kept", 300, start: 20_000);
            Assert.Equal(written.Count + more.Count, ConsumeAll(restarted, "kept", 3, written.Count + more.Count).Count);
        }
    }

    [Fact]
    public async Task Restart_SegmentCutMidBatch_RecoversToLastWholeBatch()
    {
        await using (var broker = await StartAsync())
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "torn", NumPartitions = 1, ReplicationFactor = 1 }]);
            using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build();
            for (var i = 0; i < 10; i++)
            {
                // One awaited record per batch, so the log holds ten batches.
                await producer.ProduceAsync("torn", new Message<Null, string> { Value = $"r{i}-{new string('p', 200)}" });
            }
        }

        var segment = Directory.GetFiles(Path.Combine(_dataDirectory.FullName, "node-0", "torn-0"), "*.log").Single();
        var length = new FileInfo(segment).Length;
        using (var file = File.Open(segment, FileMode.Open))
        {
            // Cut into the middle of the last batch (each is a little over 260 bytes).
            file.SetLength(length - 100);
        }

        await using var restarted = await StartAsync();
        var values = ConsumeAll(restarted, "torn", 1, 9);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"r{i}-{new string('p', 200)}"), values);
        using (var producer = new ProducerBuilder<Null, string>(restarted.ProducerConfig()).Build())
        {
            var report = await producer.ProduceAsync("torn", new Message<Null, string> { Value = "after" });
            Assert.Equal(9, report.Offset.Value);
        }
    }
}

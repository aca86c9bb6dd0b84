using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Three nodes, replication 3: stopping and starting nodes under an acks=all stream.</summary>
public class NodeFailoverTests
{
    [Fact]
    public async Task Produce_LeaderStoppedMidStream_LosesNoAcknowledgedRecord()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.NodeCount = 3;
            o.DefaultReplicationFactor = 3;
            o.SeedTopics["ha"] = 3;
        });
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, Offset>();
        var config = broker.ProducerConfig(c =>
        {
            c.MessageSendMaxRetries = int.MaxValue;
            c.RetryBackoffMs = 50;
            c.TopicMetadataRefreshIntervalMs = 1000;
        });
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            for (var i = 0; i < 3000; i++)
            {
                if (i == 1000)
                {
                    // Node 0 leads partition 0: stop it while records are in flight.
                    producer.Flush(TimeSpan.FromSeconds(1));
                    await broker.Broker.StopNodeAsync(0);
                }

                if (i == 2000)
                {
                    await broker.Broker.StartNodeAsync(0);
                }

                var value = $"m{i}";
                producer.Produce(new TopicPartition("ha", i % 3), new Message<Null, string> { Value = value }, report =>
                {
                    if (!report.Error.IsError)
                    {
                        acknowledged[value] = report.Offset;
                    }
                });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }

        Assert.Equal(3000, acknowledged.Count);
        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset("ha", p, Offset.Beginning)));
        var values = consumer.ConsumeMany(3000, TimeSpan.FromSeconds(60)).Select(r => r.Message.Value).ToHashSet();
        Assert.DoesNotContain(acknowledged.Keys, k => !values.Contains(k));
    }

    [Fact]
    public async Task Produce_AcksAllWithTooFewInSyncReplicas_FailsWithNotEnoughReplicas()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.NodeCount = 3;
            o.DefaultReplicationFactor = 3;
        });
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification
            {
                Name = "strict",
                NumPartitions = 1,
                ReplicationFactor = 3,
                Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "3" },
            }]);
        }

        await broker.Broker.StopNodeAsync(1);
        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c =>
        {
            c.MessageSendMaxRetries = 0;
            c.BootstrapServers = broker.Broker.Nodes[0].Address;
        })).Build();

        var error = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync("strict", new Message<Null, string> { Value = "x" }));

        Assert.Equal(ErrorCode.NotEnoughReplicas, error.Error.Code);
    }
}

using Microsoft.Extensions.Time.Testing;
using Confluent.Kafka;
using Samsa.Broker.Tests.Support;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Broker.Tests.Handlers;

public class ProduceHandlerTests
{
    private static ProduceRequest Request(string topic, byte[] records, short acks = -1) => new()
    {
        Acks = acks,
        TimeoutMs = 5000,
        TopicData = [new() { Name = topic, PartitionData = [new() { Index = 0, Records = records }] }],
    };

    private static ProduceResponse.PartitionProduceResponse Single(ProduceResponse response) =>
        Assert.Single(Assert.Single(response.Responses).PartitionResponses);

    [Fact]
    public async Task Produce_CorruptCrc_ReturnsCorruptMessageAndStoresNothing()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);
        var batch = Batches.Build(5);
        batch[^3] ^= 0x40;

        var result = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", batch), 9));

        Assert.Equal((short)ErrorCode.CorruptMessage, result.ErrorCode);
        Assert.Contains("CRC", result.ErrorMessage, StringComparison.Ordinal);
        broker.Cluster.TryGetTopic("t", out var topic);
        Assert.Equal(0, topic.Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task Produce_TruncatedBatch_ReturnsCorruptMessage()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var result = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", Batches.Build(5)[..70]), 9));

        Assert.Equal((short)ErrorCode.CorruptMessage, result.ErrorCode);
    }

    [Fact]
    public async Task Produce_KeylessRecordToCompactedTopic_ReturnsInvalidRecordAndStoresNothing()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        broker.Cluster.TryGetTopic("t", out var topic);
        Assert.Equal((ErrorCode.None, (string?)null), broker.Cluster.SetTopicConfigs(topic, new Dictionary<string, string> { ["cleanup.policy"] = "compact" }, validateOnly: false));
        using var client = await RawKafkaClient.ConnectAsync(broker);
        using var builder = new Samsa.Protocol.Records.RecordBatchBuilder(Samsa.Protocol.Records.CompressionType.Gzip);
        builder.Append(1_700_000_000_000, System.Text.Encoding.UTF8.GetBytes("keyed"), System.Text.Encoding.UTF8.GetBytes("v"));
        builder.Append(1_700_000_000_001, null, System.Text.Encoding.UTF8.GetBytes("v"));

        var keyless = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", builder.ToArray()), 9));
        var keyed = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", Batches.Build(3)), 9));

        Assert.Equal((short)ErrorCode.InvalidRecord, keyless.ErrorCode);
        var recordError = Assert.Single(keyless.RecordErrors);
        Assert.Equal(1, recordError.BatchIndex);
        Assert.Equal("Compacted topic cannot accept message without key in topic partition t-0.", recordError.BatchIndexErrorMessage);
        Assert.StartsWith("One or more records have been rejected due to 1 record errors in total", keyless.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal((short)ErrorCode.None, keyed.ErrorCode);
        Assert.Equal(3, topic.Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task Produce_TimestampsOutsideBeforeAndAfterMax_ReturnsInvalidTimestampNamingEachRecord()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 }, TimeProvider = time });
        broker.Cluster.TryGetTopic("t", out var topic);
        var configs = new Dictionary<string, string> { ["message.timestamp.before.max.ms"] = "1000", ["message.timestamp.after.max.ms"] = "2000" };
        Assert.Equal((ErrorCode.None, (string?)null), broker.Cluster.SetTopicConfigs(topic, configs, validateOnly: false));
        using var client = await RawKafkaClient.ConnectAsync(broker);
        using var builder = new Samsa.Protocol.Records.RecordBatchBuilder();
        var now = 1_800_000_000_000L;
        foreach (var timestamp in new[] { now, now - 1_001, now - 1_000, now + 2_000, now + 2_001, -1 })
        {
            builder.Append(timestamp, System.Text.Encoding.UTF8.GetBytes("k"), System.Text.Encoding.UTF8.GetBytes("v"));
        }

        var result = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", builder.ToArray()), 9));

        Assert.Equal((short)ErrorCode.InvalidTimestamp, result.ErrorCode);
        Assert.Equal("One or more records have been rejected due to invalid timestamp", result.ErrorMessage);
        Assert.Equal([1, 4], result.RecordErrors.Select(e => e.BatchIndex));
        Assert.Equal(
            $"Timestamp {now + 2_001} of message with offset 4 is out of range. The timestamp should be within [{now - 1_000}, {now + 2_000}]",
            result.RecordErrors[1].BatchIndexErrorMessage);
        Assert.Equal(0, topic.Partitions[0].HighWatermark);
    }

    [Fact]
    public async Task Produce_TimestampsOutOfRangeBeforeV8_ReturnsInvalidTimestampWithoutRecordErrors()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        broker.Cluster.TryGetTopic("t", out var topic);
        Assert.Equal((ErrorCode.None, (string?)null), broker.Cluster.SetTopicConfigs(topic, new Dictionary<string, string> { ["message.timestamp.difference.max.ms"] = "60000" }, validateOnly: false));
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var result = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", Batches.Build(3)), 7));

        Assert.Equal((short)ErrorCode.InvalidTimestamp, result.ErrorCode);
        Assert.Empty(result.RecordErrors);
        Assert.Null(result.ErrorMessage);
    }

    [Fact]
    public async Task Produce_UnknownTopic_ReturnsUnknownTopicOrPartition()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions());
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var result = Single(await client.RoundTripAsync<ProduceResponse>(Request("missing", Batches.Build(1)), 3));

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, result.ErrorCode);
    }

    [Fact]
    public async Task Produce_InvalidAcks_ReturnsInvalidRequiredAcks()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var result = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", Batches.Build(1), acks: 2), 7));

        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, result.ErrorCode);
    }

    [Fact]
    public async Task Produce_TwoBatchesAtV3_ReturnsInvalidRecord()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var result = Single(await client.RoundTripAsync<ProduceResponse>(Request("t", [.. Batches.Build(1), .. Batches.Build(1)]), 8));

        Assert.Equal((short)ErrorCode.InvalidRecord, result.ErrorCode);
    }

    [Fact]
    public async Task Produce_BatchOverTopicMaxMessageBytes_ClientGetsMessageTooLarge()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = "small", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["max.message.bytes"] = "2048" } }]);
        }

        using var producer = new ProducerBuilder<Null, byte[]>(broker.ProducerConfig(c => c.MessageSendMaxRetries = 0)).Build();
        var error = await Assert.ThrowsAsync<ProduceException<Null, byte[]>>(() => producer.ProduceAsync("small", new Message<Null, byte[]> { Value = new byte[8000] }));

        Assert.Equal(Confluent.Kafka.ErrorCode.MsgSizeTooLarge, error.Error.Code);
        var ok = await producer.ProduceAsync("small", new Message<Null, byte[]> { Value = new byte[100] });
        Assert.Equal(0, ok.Offset.Value);
    }

    [Fact]
    public async Task Produce_LogAppendTimeTopic_ConsumersSeeBrokerTimestamps()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = "stamped", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["message.timestamp.type"] = "LogAppendTime" } }]);
        }

        var old = new Timestamp(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build())
        {
            var report = await producer.ProduceAsync("stamped", new Message<Null, string> { Value = "v", Timestamp = old });
            Assert.Equal(TimestampType.LogAppendTime, report.Timestamp.Type);
        }

        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset("stamped", 0, Offset.Beginning));
        var record = Assert.Single(consumer.ConsumeMany(1, TimeSpan.FromSeconds(20)));
        Assert.Equal(TimestampType.LogAppendTime, record.Message.Timestamp.Type);
        Assert.True(record.Message.Timestamp.UnixTimestampMs > old.UnixTimestampMs + (365L * 24 * 3600 * 1000), "the broker's append time replaced the client's");
    }

    [Fact]
    public async Task Produce_AcksZero_RecordsAreStoredWithoutAnswers()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["fire"] = 1);
        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c => c.Acks = Acks.None)).Build())
        {
            for (var i = 0; i < 500; i++)
            {
                producer.Produce("fire", new Message<Null, string> { Value = $"f{i}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(20)));
        }

        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset("fire", 0, Offset.Beginning));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"f{i}"), consumer.ConsumeMany(500, TimeSpan.FromSeconds(20)).Select(r => r.Message.Value));
    }
}

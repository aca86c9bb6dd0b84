using System.Text;
using Confluent.Kafka;
using Samsa.Broker.Tests.Support;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>100k records through Confluent.Kafka with acks=all and 32 KiB batches, for every compression codec.</summary>
public class ConfluentThroughputRoundTripTests
{
    private const int RecordCount = 100_000;
    private const int Partitions = 4;

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Produce100kThenAssignConsume_EveryCodec_ReturnsEveryRecordExactlyOnce(CompressionType codec)
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["bulk"] = Partitions);
        var config = broker.ProducerConfig(c =>
        {
            c.CompressionType = codec;
            c.BatchSize = 32 * 1024;
            c.LingerMs = 10;
        });
        var failures = 0;
        using (var producer = new ProducerBuilder<byte[], byte[]>(config).Build())
        {
            for (var i = 0; i < RecordCount; i++)
            {
                var value = Encoding.UTF8.GetBytes($"record-{i:D6}-{new string('x', i % 64)}");
                producer.Produce(
                    new TopicPartition("bulk", i % Partitions),
                    new Message<byte[], byte[]> { Key = BitConverter.GetBytes(i), Value = value },
                    report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failures);
                        }
                    });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }

        Assert.Equal(0, failures);
        var stored = StoredBatches.Headers(broker.Broker, "bulk");
        // librdkafka sends a batch uncompressed when compressing would not make it smaller (a lone small record).
        Assert.All(stored.Where(h => h.RecordCount > 1), h => Assert.Equal((Samsa.Protocol.Records.CompressionType)(int)codec, h.Compression));
        Assert.True(stored.Count > 10, $"only {stored.Count} batches for {RecordCount / Partitions} records: batching did not happen");
        using var consumer = new ConsumerBuilder<byte[], byte[]>(broker.ConsumerConfig(configure: c => c.FetchMaxBytes = 4 * 1024 * 1024)).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset("bulk", p, Offset.Beginning)));
        var seen = new bool[RecordCount];
        var received = consumer.ConsumeMany(RecordCount, TimeSpan.FromSeconds(90));
        foreach (var result in received)
        {
            var index = BitConverter.ToInt32(result.Message.Key);
            Assert.False(seen[index], $"record {index} delivered twice");
            seen[index] = true;
            Assert.Equal(index % Partitions, result.Partition.Value);
            Assert.Equal($"record-{index:D6}-{new string('x', index % 64)}", Encoding.UTF8.GetString(result.Message.Value));
        }

        Assert.Equal(RecordCount, received.Count);
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(300)));
    }
}

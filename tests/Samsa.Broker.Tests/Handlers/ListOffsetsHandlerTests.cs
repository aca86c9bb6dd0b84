using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker.Tests.Support;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Handlers;

public class ListOffsetsHandlerTests
{
    [Fact]
    public async Task ListOffsets_EarliestLatestTimestampAndMax_MatchTheLog()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["times"] = 1);
        var baseTime = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build())
        {
            // One awaited record per batch, timestamps one minute apart; offset 5 has the largest.
            for (var i = 0; i < 8; i++)
            {
                var minutes = i == 5 ? 100 : i;
                await producer.ProduceAsync("times", new Message<Null, string> { Value = $"t{i}", Timestamp = new Timestamp(baseTime.AddMinutes(minutes)) });
            }
        }

        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        var partition = new TopicPartition("times", 0);
        var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
        var byTime = consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(baseTime.AddMinutes(3)))], TimeSpan.FromSeconds(10));
        var afterAll = consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(baseTime.AddMinutes(500)))], TimeSpan.FromSeconds(10));
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var max = await admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = partition, OffsetSpec = OffsetSpec.MaxTimestamp() }]);

        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(8, watermarks.High.Value);
        Assert.Equal(3, byTime.Single().Offset.Value);
        Assert.Equal(Offset.End, afterAll.Single().Offset);
        Assert.Equal(5, max.ResultInfos.Single().TopicPartitionOffsetError.Offset.Value);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Zstd)]
    public async Task ListOffsets_ByTimestampInsideOneBatch_AnswersTheFirstRecordReachingIt(CompressionType compression)
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["in-batch"] = 1);
        var baseTime = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c =>
        {
            c.LingerMs = 200;
            c.CompressionType = compression;
        })).Build())
        {
            // Metadata first, so the records wait out the linger in the partition's queue and share a batch.
            using (var metadata = new DependentAdminClientBuilder(producer.Handle).Build())
            {
                Assert.Single(metadata.GetMetadata("in-batch", TimeSpan.FromSeconds(10)).Topics);
            }

            // Twenty records, one second apart.
            for (var i = 0; i < 20; i++)
            {
                producer.Produce("in-batch", new Message<Null, string> { Value = $"r{i}", Timestamp = new Timestamp(baseTime.AddSeconds(i)) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(10)));
        }

        Assert.Single(StoredBatches.Headers(broker.Broker, "in-batch"));
        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        var partition = new TopicPartition("in-batch", 0);

        long OffsetFor(DateTime time) =>
            consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(time))], TimeSpan.FromSeconds(10)).Single().Offset.Value;

        Assert.Equal(0, OffsetFor(baseTime.AddSeconds(-5)));
        Assert.Equal(7, OffsetFor(baseTime.AddSeconds(7)));
        Assert.Equal(8, OffsetFor(baseTime.AddSeconds(7.5)));
        Assert.Equal(19, OffsetFor(baseTime.AddSeconds(19)));
        Assert.Equal(Offset.End.Value, OffsetFor(baseTime.AddSeconds(20)));
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
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
}

using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

public class ConfluentRoundTripTests
{
    [Fact]
    public async Task ProduceThenAssignConsume_SmallStream_ReturnsEveryRecordInOrder()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["orders"] = 2);
        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                await producer.ProduceAsync(new TopicPartition("orders", i % 2), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }, TestContext.Current.CancellationToken);
            }
        }

        using var consumer = new ConsumerBuilder<string, string>(broker.ConsumerConfig()).Build();
        consumer.Assign([new TopicPartitionOffset("orders", 0, Offset.Beginning), new TopicPartitionOffset("orders", 1, Offset.Beginning)]);
        var seen = consumer.ConsumeMany(100, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value).ToList();

        Assert.Equal(100, seen.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"v{i * 2}"), seen.Where(v => int.Parse(v[1..]) % 2 == 0));
    }
}

using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

public class IdempotentProducerTests
{
    [Fact]
    public async Task Produce_IdempotenceEnabled_DeliversInOrderWithoutGapsOrDuplicates()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["idem"] = 1);
        var config = broker.ProducerConfig(c =>
        {
            c.EnableIdempotence = true;
            c.MaxInFlight = 5;
        });
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            for (var i = 0; i < 5000; i++)
            {
                producer.Produce("idem", new Message<Null, string> { Value = $"m{i}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset("idem", 0, Offset.Beginning));
        var values = consumer.ConsumeMany(5000, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => $"m{i}"), values.Select(v => v.Message.Value));
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), values.Select(v => v.Offset.Value));
    }
}

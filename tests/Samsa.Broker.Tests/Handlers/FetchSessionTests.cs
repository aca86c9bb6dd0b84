using Confluent.Kafka;
using Samsa.Broker.Handlers;
using Samsa.Broker.Tests.Clients;
using Samsa.Broker.Tests.Support;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Broker.Tests.Handlers;

/// <summary>Incremental fetch sessions (KIP-227): raw requests for each rule, and librdkafka consuming 500 partitions through them.</summary>
public class FetchSessionTests
{
    private static FetchRequest Full(string topic, int partitions, int sessionEpoch = 0, int sessionId = 0) => new()
    {
        MaxWaitMs = 0,
        MinBytes = 0,
        MaxBytes = 1 << 20,
        SessionId = sessionId,
        SessionEpoch = sessionEpoch,
        Topics = [new() { Topic = topic, Partitions = Enumerable.Range(0, partitions).Select(p => new FetchRequest.FetchPartition { Partition = p, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }).ToList() }],
    };

    private static FetchRequest Incremental(int sessionId, int epoch, params FetchRequest.FetchTopic[] changed) => new()
    {
        MaxWaitMs = 0,
        MinBytes = 0,
        MaxBytes = 1 << 20,
        SessionId = sessionId,
        SessionEpoch = epoch,
        Topics = [.. changed],
    };

    private static async Task ProduceAsync(RawKafkaClient client, string topic, int partition, int count)
    {
        var response = await client.RoundTripAsync<ProduceResponse>(
            new ProduceRequest { Acks = -1, TimeoutMs = 5000, TopicData = [new() { Name = topic, PartitionData = [new() { Index = partition, Records = Batches.Build(count) }] }] },
            9);
        Assert.Equal(0, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    private static int[] PartitionsIn(FetchResponse response) => response.Responses.SelectMany(t => t.Partitions).Select(p => p.PartitionIndex).Order().ToArray();

    [Fact]
    public async Task FetchSession_Lifecycle_IncrementalAnswersCarryOnlyNewsAndEpochsAreChecked()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["s"] = 3 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        // Epoch 0: a full request opens a session and gets every partition.
        var opened = await client.RoundTripAsync<FetchResponse>(Full("s", 3), 12);
        Assert.Equal((short)ErrorCode.None, opened.ErrorCode);
        Assert.NotEqual(0, opened.SessionId);
        Assert.Equal([0, 1, 2], PartitionsIn(opened));
        var id = opened.SessionId;

        // Nothing changed: an empty incremental request gets an empty answer.
        var quiet = await client.RoundTripAsync<FetchResponse>(Incremental(id, 1), 12);
        Assert.Equal((short)ErrorCode.None, quiet.ErrorCode);
        Assert.Equal(id, quiet.SessionId);
        Assert.Empty(PartitionsIn(quiet));

        // Records on partition 1: only it comes back, though the request named no partition.
        await ProduceAsync(client, "s", 1, 4);
        var news = await client.RoundTripAsync<FetchResponse>(Incremental(id, 2), 12);
        var partition = Assert.Single(news.Responses.Single().Partitions);
        Assert.Equal(1, partition.PartitionIndex);
        Assert.Equal(4, partition.HighWatermark);
        Assert.False(partition.Records!.Value.IsEmpty);

        // The client moves its offset on partition 1: the high watermark is known, so nothing comes back.
        var moved = new FetchRequest.FetchTopic { Topic = "s", Partitions = [new() { Partition = 1, FetchOffset = 4, PartitionMaxBytes = 1 << 20 }] };
        Assert.Empty(PartitionsIn(await client.RoundTripAsync<FetchResponse>(Incremental(id, 3, moved), 12)));

        // A repeated or skipped epoch is refused, and the session stays usable at the right one.
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, (await client.RoundTripAsync<FetchResponse>(Incremental(id, 3), 12)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidFetchSessionEpoch, (await client.RoundTripAsync<FetchResponse>(Incremental(id, 9), 12)).ErrorCode);

        // Forgotten partitions are no longer fetched: records on 0 and 2, only 2 comes back.
        await ProduceAsync(client, "s", 0, 2);
        await ProduceAsync(client, "s", 2, 2);
        var forget = Incremental(id, 4);
        forget.ForgottenTopicsData = [new() { Topic = "s", Partitions = [0] }];
        var afterForget = await client.RoundTripAsync<FetchResponse>(forget, 12);
        Assert.Equal(2, Assert.Single(PartitionsIn(afterForget)));

        // Epoch -1 closes the session: it is then unknown.
        var closing = Full("s", 1, sessionEpoch: -1, sessionId: id);
        Assert.Equal(0, (await client.RoundTripAsync<FetchResponse>(closing, 12)).SessionId);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, (await client.RoundTripAsync<FetchResponse>(Incremental(id, 5), 12)).ErrorCode);
    }

    [Fact]
    public async Task FetchSession_TopicIdSessionUsedByANameRequest_FetchSessionTopicIdError()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["ids"] = 2 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);
        Assert.True(broker.Cluster.TryGetTopic("ids", out var topic));
        var request = Full("ids", 2);
        request.Topics[0].TopicId = topic.Id;

        var opened = await client.RoundTripAsync<FetchResponse>(request, 13);
        Assert.Equal(topic.Id, opened.Responses.Single().TopicId);
        Assert.Empty(PartitionsIn(await client.RoundTripAsync<FetchResponse>(Incremental(opened.SessionId, 1), 13)));

        var byName = await client.RoundTripAsync<FetchResponse>(Incremental(opened.SessionId, 2), 12);
        Assert.Equal((short)ErrorCode.FetchSessionTopicIdError, byName.ErrorCode);
    }

    [Fact]
    public async Task FetchSession_CacheFull_NewSessionServedWithoutOneUntilASlotIsEvictable()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["full"] = 2 }, MaxIncrementalFetchSessionCacheSlots = 1 });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var first = await client.RoundTripAsync<FetchResponse>(Full("full", 1), 12);
        var second = await client.RoundTripAsync<FetchResponse>(Full("full", 2), 12);

        // The only slot is taken by a session younger than Kafka's 120 s eviction time: the second fetch is answered in full, without a session.
        Assert.NotEqual(0, first.SessionId);
        Assert.Equal(0, second.SessionId);
        Assert.Equal([0, 1], PartitionsIn(second));
        Assert.Empty(PartitionsIn(await client.RoundTripAsync<FetchResponse>(Incremental(first.SessionId, 1), 12)));
    }

    [Fact]
    public async Task FetchSession_ConfluentConsumerOf500Partitions_SessionlessFullFetchesStillServed()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["wide"] = 500);
        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 1000; i++)
            {
                producer.Produce(new TopicPartition("wide", i % 500), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var fetch = (FetchHandler)broker.Broker.Handlers.Get(ApiKey.Fetch)!;
        using var consumer = new ConsumerBuilder<string, string>(broker.ConsumerConfig("wide-reader")).Build();
        consumer.Assign(Enumerable.Range(0, 500).Select(p => new TopicPartitionOffset("wide", p, Offset.Beginning)));
        var values = new HashSet<string>();
        Assert.True(await Poll.TryUntilAsync(
            () =>
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: { } message })
                {
                    values.Add(message.Value);
                }

                return values.Count == 1000;
            },
            TimeSpan.FromSeconds(60)));

        // librdkafka does not implement KIP-227: it sends session epoch -1 (full fetches), so no session is held for it.
        Assert.Equal(0, fetch.SessionCount(0));
        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build())
        {
            producer.Produce(new TopicPartition("wide", 499), new Message<string, string> { Key = "late", Value = "late" });
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        Assert.True(await Poll.TryUntilAsync(() => consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message.Value: "late" }, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, fetch.SessionCount(0));
    }
}

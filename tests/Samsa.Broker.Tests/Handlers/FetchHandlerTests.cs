using Samsa.Broker.Tests.Support;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Handlers;

public class FetchHandlerTests
{
    private static FetchRequest Fetch(string topic, long offset, int maxWaitMs = 0, int minBytes = 0, int maxBytes = 1 << 20, int partitionMaxBytes = 1 << 20, params int[] partitions) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = maxBytes,
        Topics = [new() { Topic = topic, Partitions = (partitions.Length == 0 ? [0] : partitions).Select(p => new FetchRequest.FetchPartition { Partition = p, FetchOffset = offset, PartitionMaxBytes = partitionMaxBytes }).ToList() }],
    };

    private static async Task ProduceAsync(RawKafkaClient client, string topic, int partition, byte[] batch)
    {
        var response = await client.RoundTripAsync<ProduceResponse>(
            new ProduceRequest { Acks = -1, TimeoutMs = 5000, TopicData = [new() { Name = topic, PartitionData = [new() { Index = partition, Records = batch }] }] },
            9);
        Assert.Equal(0, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task Fetch_LongPoll_WakesWhenRecordsArrive()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["wait"] = 1 } });
        using var fetcher = await RawKafkaClient.ConnectAsync(broker);
        using var producer = await RawKafkaClient.ConnectAsync(broker);

        // MaxWait is long: only the append can end this poll with records in it.
        var pending = fetcher.RoundTripAsync<FetchResponse>(Fetch("wait", 0, maxWaitMs: 60_000, minBytes: 1), 12, TimeSpan.FromSeconds(90));
        await ProduceAsync(producer, "wait", 0, Batches.Build(3));
        var response = await pending;

        var partition = response.Responses[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        Assert.Equal(3, partition.HighWatermark);
        Assert.Equal(3, RecordBatchReader.ReadAllRecords(partition.Records!.Value).Count);
    }

    [Fact]
    public async Task Fetch_ResponseMaxBytes_ReturnsWholeBatchesAndAlwaysTheFirst()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["limits"] = 2 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);
        for (var i = 0; i < 4; i++)
        {
            await ProduceAsync(client, "limits", 0, Batches.Build(10, valueSize: 100));
            await ProduceAsync(client, "limits", 1, Batches.Build(10, valueSize: 100));
        }

        // Smaller than one batch: the first batch of the first partition still comes, nothing else.
        var tiny = await client.RoundTripAsync<FetchResponse>(Fetch("limits", 0, maxBytes: 10, partitions: [0, 1]), 11);
        var first = tiny.Responses[0].Partitions[0];
        var second = tiny.Responses[0].Partitions[1];
        var reader = new RecordBatchReader(first.Records!.Value);
        Assert.True(reader.TryReadNext(out var batch));
        Assert.Equal(0, batch.Header.BaseOffset);
        Assert.False(reader.TryReadNext(out _));
        Assert.False(reader.EndedWithPartialBatch);
        Assert.Equal(0, second.Records!.Value.Length);

        // A partition limit of two batches' worth returns two whole batches.
        var twoBatches = first.Records!.Value.Length * 2;
        var limited = await client.RoundTripAsync<FetchResponse>(Fetch("limits", 0, partitionMaxBytes: twoBatches, partitions: [1]), 11);
        var records = RecordBatchReader.ReadAllRecords(limited.Responses[0].Partitions[0].Records!.Value);
        Assert.Equal(20, records.Count);
    }

    [Fact]
    public async Task Fetch_OffsetBeyondEnd_ReturnsOffsetOutOfRange()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var response = await client.RoundTripAsync<FetchResponse>(Fetch("t", 42), 12);

        Assert.Equal((short)ErrorCode.OffsetOutOfRange, response.Responses[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task Fetch_IncrementalRequestNamingUnknownSession_ReturnsFetchSessionIdNotFound()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);
        var request = Fetch("t", 0);
        request.SessionId = 1234;
        request.SessionEpoch = 1;

        var incremental = await client.RoundTripAsync<FetchResponse>(request, 12);

        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, incremental.ErrorCode);
        Assert.Equal(0, incremental.SessionId);
        Assert.Empty(incremental.Responses);
    }

    [Fact]
    public async Task Fetch_ByTopicId_ReturnsRecordsAndUnknownIdError()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["ids"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);
        await ProduceAsync(client, "ids", 0, Batches.Build(2));
        broker.Cluster.TryGetTopic("ids", out var topic);
        var request = new FetchRequest
        {
            MaxBytes = 1 << 20,
            Topics =
            [
                new() { TopicId = topic.Id, Partitions = [new() { Partition = 0, PartitionMaxBytes = 1 << 20 }] },
                new() { TopicId = Guid.NewGuid(), Partitions = [new() { Partition = 0, PartitionMaxBytes = 1 << 20 }] },
            ],
        };

        var response = await client.RoundTripAsync<FetchResponse>(request, 13);

        Assert.Equal(topic.Id, response.Responses[0].TopicId);
        Assert.Equal(2, RecordBatchReader.ReadAllRecords(response.Responses[0].Partitions[0].Records!.Value).Count);
        Assert.Equal((short)ErrorCode.UnknownTopicId, response.Responses[1].Partitions[0].ErrorCode);
    }
}

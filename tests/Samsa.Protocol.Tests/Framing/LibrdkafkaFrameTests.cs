using System.Text;
using Confluent.Kafka;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.TestUtils;
using KafkaCompression = Confluent.Kafka.CompressionType;
using SamsaCompression = Samsa.Protocol.Records.CompressionType;

namespace Samsa.Protocol.Tests.Framing;

/// <summary>
/// Decodes what librdkafka (through Confluent.Kafka) actually sends: a scripted server answers
/// ApiVersions and Metadata so the producer goes on to send Produce requests, and every frame is
/// decoded with Samsa.Protocol.
/// </summary>
public class LibrdkafkaFrameTests
{
    private static IKafkaResponse? Script(ScriptedKafkaServer server, RequestHeader header, IKafkaRequest body) => body switch
    {
        ApiVersionsRequest => new ApiVersionsResponse
        {
            ApiKeys =
            [
                // librdkafka picks record batch v2 only when Produce v3+ and Fetch v4+ are both offered.
                new() { ApiKey = (short)ApiKey.Produce, MinVersion = 0, MaxVersion = 11 },
                new() { ApiKey = (short)ApiKey.Fetch, MinVersion = 0, MaxVersion = 17 },
                // ... and LZ4 only when FindCoordinator is offered (its stand-in for "broker 0.9 or later").
                new() { ApiKey = (short)ApiKey.FindCoordinator, MinVersion = 0, MaxVersion = 6 },
                new() { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = 12 },
                new() { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = 4 },
            ],
        },
        MetadataRequest => new MetadataResponse
        {
            Brokers = [new() { NodeId = 0, Host = "127.0.0.1", Port = server.Port }],
            ClusterId = "scripted",
            ControllerId = 0,
            Topics =
            [
                new()
                {
                    Name = "captured",
                    TopicId = Guid.NewGuid(),
                    Partitions = [new() { PartitionIndex = 0, LeaderId = 0, LeaderEpoch = 0, ReplicaNodes = [0], IsrNodes = [0] }],
                },
            ],
        },
        ProduceRequest produce => new ProduceResponse
        {
            Responses = produce.TopicData.Select(t => new ProduceResponse.TopicProduceResponse
            {
                Name = t.Name,
                PartitionResponses = t.PartitionData.Select(p => new ProduceResponse.PartitionProduceResponse { Index = p.Index, BaseOffset = 0 }).ToList(),
            }).ToList(),
        },
        _ => null,
    };

    private static async Task<(ScriptedKafkaServer Server, List<(byte[]? Key, byte[] Value, Headers Headers)> Sent)> ProduceThroughScriptAsync(KafkaCompression codec)
    {
        NativeKafka.EnsureLoaded();
        ScriptedKafkaServer? server = null;
        server = new ScriptedKafkaServer((header, body) => Script(server!, header, body));
        var sent = new List<(byte[]? Key, byte[] Value, Headers Headers)>();
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
        {
            BootstrapServers = server.BootstrapServers,
            CompressionType = codec,
            LingerMs = 50,
            EnableIdempotence = false,
            Acks = Acks.Leader,
            ClientId = "frame-capture",
        }).Build();
        for (var i = 0; i < 50; i++)
        {
            var headers = new Headers { { "index", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) } };
            var key = i % 5 == 0 ? null : Encoding.UTF8.GetBytes($"key-{i}");
            var value = Encoding.UTF8.GetBytes($"value-{i}-{new string('z', i * 20)}");
            sent.Add((key, value, headers));
            producer.Produce(new TopicPartition("captured", 0), new Message<byte[]?, byte[]> { Key = key, Value = value, Headers = headers });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(20)));
        return (server, sent);
    }

    [Fact]
    public async Task Capture_ProducerConnects_SendsApiVersionsThenMetadataThatDecode()
    {
        var (server, _) = await ProduceThroughScriptAsync(KafkaCompression.None);
        await using var _ = server;

        var requests = server.Requests.ToList();
        var first = requests[0];
        Assert.Equal((short)ApiKey.ApiVersions, first.Header.RequestApiKey);
        var apiVersions = Assert.IsType<ApiVersionsRequest>(first.Body);
        Assert.Equal("frame-capture", first.Header.ClientId);
        if (first.Header.RequestApiVersion >= 3)
        {
            Assert.Equal("confluent-kafka-dotnet", apiVersions.ClientSoftwareName);
            Assert.False(string.IsNullOrEmpty(apiVersions.ClientSoftwareVersion));
        }

        Assert.Contains(requests, r => r.Body is MetadataRequest);
        Assert.Contains(requests, r => r.Body is ProduceRequest);
    }

    [Theory]
    [InlineData(KafkaCompression.None, SamsaCompression.None)]
    [InlineData(KafkaCompression.Gzip, SamsaCompression.Gzip)]
    [InlineData(KafkaCompression.Snappy, SamsaCompression.Snappy)]
    [InlineData(KafkaCompression.Lz4, SamsaCompression.Lz4)]
    [InlineData(KafkaCompression.Zstd, SamsaCompression.Zstd)]
    public async Task Capture_ProduceWithCodec_BatchesDecodeToTheRecordsSent(KafkaCompression codec, SamsaCompression expected)
    {
        var (server, sent) = await ProduceThroughScriptAsync(codec);
        await using var _ = server;

        var records = new List<Samsa.Protocol.Records.Record>();
        foreach (var produce in server.Requests.Select(r => r.Body).OfType<ProduceRequest>())
        {
            var data = Assert.Single(Assert.Single(produce.TopicData).PartitionData).Records!.Value;
            var reader = new RecordBatchReader(data);
            while (reader.TryReadNext(out var batch))
            {
                Assert.True(batch.VerifyCrc());
                Assert.True(expected == batch.Header.Compression, $"batch of {batch.Header.RecordCount} records, {batch.Memory.Length} bytes, codec {batch.Header.Compression}");
                records.AddRange(batch.ReadRecords());
            }

            Assert.False(reader.EndedWithPartialBatch);
        }

        Assert.Equal(sent.Count, records.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            Assert.Equal(sent[i].Key, records[i].Key?.ToArray());
            Assert.Equal(sent[i].Value, records[i].Value!.Value.ToArray());
            var header = Assert.Single(records[i].Headers);
            Assert.Equal("index", header.Key);
            Assert.Equal(sent[i].Headers[0].GetValueBytes(), header.Value!.Value.ToArray());
        }
    }
}

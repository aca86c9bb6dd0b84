using Samsa.Broker.Tests.Support;
using Samsa.Protocol;
using Samsa.Protocol.Framing;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Tests.Handlers;

public class ApiVersionsHandlerTests
{
    /// <summary>The APIs the broker must serve for librdkafka, kcat and kafka-python (issues 3 and 5).</summary>
    public static readonly ApiKey[] Required =
    [
        ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.OffsetForLeaderEpoch,
        ApiKey.CreateTopics, ApiKey.DeleteTopics, ApiKey.CreatePartitions, ApiKey.DeleteRecords, ApiKey.DescribeConfigs,
        ApiKey.IncrementalAlterConfigs, ApiKey.DescribeCluster, ApiKey.InitProducerId,
        ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup, ApiKey.OffsetCommit,
        ApiKey.OffsetFetch, ApiKey.ListGroups, ApiKey.DescribeGroups, ApiKey.DeleteGroups, ApiKey.OffsetDelete,
    ];

    [Fact]
    public async Task ApiVersions_OverTcp_AdvertisesExactlyTheRegisteredHandlersWithinSchemaRanges()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions());
        var registry = broker.Handlers;
        using var client = await RawKafkaClient.ConnectAsync(broker);

        await client.SendAsync(RawKafkaClient.Encode(new ApiVersionsRequest { ClientSoftwareName = "samsa-tests", ClientSoftwareVersion = "1" }, 3, 7));
        var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));

        var (correlation, body) = KafkaFrames.ReadResponse(frame, ApiKey.ApiVersions, 3);
        var response = Assert.IsType<ApiVersionsResponse>(body);
        Assert.Equal(7, correlation);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);

        // What the wire says is what the registry serves: same keys, same ranges.
        var advertised = response.ApiKeys.ToDictionary(k => (ApiKey)k.ApiKey, k => (k.MinVersion, k.MaxVersion));
        var registered = registry.Handlers.ToDictionary(h => h.ApiKey, h => (h.MinVersion, h.MaxVersion));
        Assert.Equal(registered.OrderBy(kv => kv.Key), advertised.OrderBy(kv => kv.Key));
        foreach (var key in Required)
        {
            Assert.True(advertised.ContainsKey(key), $"{key} is not advertised");
        }

        foreach (var (key, (min, max)) in advertised)
        {
            var schema = ApiVersionRanges.Get(key);
            Assert.InRange(min, schema.MinVersion, schema.MaxVersion);
            // ConsumerGroupHeartbeat v1 (regex subscriptions) is stable since Kafka 4.0; the schemas here predate that.
            var maxStable = key == ApiKey.ConsumerGroupHeartbeat ? (short)1 : schema.MaxStableVersion;
            Assert.InRange(max, min, maxStable);
        }

        Assert.Contains(ApiKey.ConsumerGroupHeartbeat, advertised.Keys);
        Assert.Contains(ApiKey.ConsumerGroupDescribe, advertised.Keys);
    }
}

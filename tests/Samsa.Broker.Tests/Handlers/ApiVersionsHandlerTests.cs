using Samsa.Protocol;

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
    public async Task ApiVersions_Advertised_IsExactlyTheRegisteredHandlersWithinSchemaRanges()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions());
        var registry = broker.Handlers;

        foreach (var key in Required)
        {
            Assert.True(registry.Get(key) is not null, $"{key} is not served");
        }

        foreach (var handler in registry.Handlers)
        {
            var schema = ApiVersionRanges.Get(handler.ApiKey);
            Assert.InRange(handler.MinVersion, schema.MinVersion, schema.MaxVersion);
            Assert.InRange(handler.MaxVersion, handler.MinVersion, schema.MaxStableVersion);
        }

        Assert.Null(registry.Get(ApiKey.ConsumerGroupHeartbeat));
    }
}

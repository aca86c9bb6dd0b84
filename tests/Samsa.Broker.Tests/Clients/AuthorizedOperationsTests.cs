using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker.Tests.Support;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Authorized operations where the protocol asks for them (Metadata v8+, DescribeCluster): without
/// an authorizer Kafka reports every operation the resource supports.
/// </summary>
public sealed class AuthorizedOperationsTests
{
    // Kafka's AclEntry.supportedOperations, by name.
    private static readonly AclOperation[] TopicOperations =
        [AclOperation.Read, AclOperation.Write, AclOperation.Create, AclOperation.Delete, AclOperation.Alter, AclOperation.Describe, AclOperation.DescribeConfigs, AclOperation.AlterConfigs];

    private static readonly AclOperation[] ClusterOperations =
        [AclOperation.Create, AclOperation.Alter, AclOperation.Describe, AclOperation.ClusterAction, AclOperation.DescribeConfigs, AclOperation.AlterConfigs, AclOperation.IdempotentWrite];

    [Fact]
    public async Task DescribeTopics_IncludeAuthorizedOperationsWithoutAuthorizer_ReportsAllEightTopicOperations()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["orders"] = 2);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        var result = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(["orders"]), new DescribeTopicsOptions { IncludeAuthorizedOperations = true });

        var topic = Assert.Single(result.TopicDescriptions);
        Assert.Equal(TopicOperations.Order(), topic.AuthorizedOperations.Order());
    }

    [Fact]
    public async Task DescribeCluster_IncludeAuthorizedOperationsWithoutAuthorizer_ReportsAllSevenClusterOperations()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        var result = await admin.DescribeClusterAsync(new DescribeClusterOptions { IncludeAuthorizedOperations = true });

        Assert.Equal(ClusterOperations.Order(), result.AuthorizedOperations.Order());
    }

    [Fact]
    public async Task DescribeCluster_AuthorizedOperationsNotAsked_ReportsNone()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

        var result = await admin.DescribeClusterAsync(new DescribeClusterOptions { IncludeAuthorizedOperations = false });

        Assert.Null(result.AuthorizedOperations);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(10)]
    public async Task Metadata_V8ToV10IncludeClusterAuthorizedOperations_ReportsClusterBits(short version)
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var response = await client.RoundTripAsync<MetadataResponse>(
            new MetadataRequest { Topics = [new() { Name = "t" }], IncludeClusterAuthorizedOperations = true, IncludeTopicAuthorizedOperations = true }, version);

        // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
        Assert.Equal(0b1_1111_1010_0000, response.ClusterAuthorizedOperations);
        // READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11.
        Assert.Equal(0b1101_1111_1000, Assert.Single(response.Topics).TopicAuthorizedOperations);
    }

    [Fact]
    public async Task Metadata_AuthorizedOperationsNotAsked_ReportsOmittedMarker()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["t"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);

        var response = await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "t" }] }, 9);

        Assert.Equal(int.MinValue, response.ClusterAuthorizedOperations);
        Assert.Equal(int.MinValue, Assert.Single(response.Topics).TopicAuthorizedOperations);
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Confluent.Kafka's AdminClient against Samsa.Broker: topics, partitions, configs, records, cluster.</summary>
public class AdminClientTests
{
    private static IAdminClient Admin(EmbeddedBroker broker) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

    [Fact]
    public async Task CreateTopics_ThenDescribeAndDelete_RoundTrips()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.NodeCount = 3);
        using var admin = Admin(broker);

        await admin.CreateTopicsAsync(
        [
            new TopicSpecification
            {
                Name = "payments",
                NumPartitions = 6,
                ReplicationFactor = 3,
                Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "2", ["retention.ms"] = "3600000" },
            },
        ]);

        var described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(["payments"]));
        var topic = Assert.Single(described.TopicDescriptions);
        Assert.Equal(6, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(3, p.Replicas.Count));
        Assert.Equal(3, topic.Partitions.Select(p => p.Leader.Id).Distinct().Count());

        var configs = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "payments" }]);
        var entries = configs.Single().Entries;
        Assert.Equal("2", entries["min.insync.replicas"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, entries["min.insync.replicas"].Source);
        Assert.Equal("delete", entries["cleanup.policy"].Value);
        Assert.Equal(ConfigSource.DefaultConfig, entries["cleanup.policy"].Source);

        await admin.DeleteTopicsAsync(["payments"]);
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(metadata.Topics, t => t.Topic == "payments");
    }

    [Fact]
    public async Task CreateTopics_ReplicationAboveNodeCount_FailsWithInvalidReplicationFactor()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var admin = Admin(broker);

        var error = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "t", NumPartitions = 1, ReplicationFactor = 3 }]));

        Assert.Equal(ErrorCode.InvalidReplicationFactor, error.Results.Single().Error.Code);
    }

    [Fact]
    public async Task CreateTopics_ExistingOrBadNameOrBadConfig_ReportEachError()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["existing"] = 1);
        using var admin = Admin(broker);

        var error = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
        [
            new TopicSpecification { Name = "existing", NumPartitions = 1, ReplicationFactor = 1 },
            new TopicSpecification { Name = "bad/name", NumPartitions = 1, ReplicationFactor = 1 },
            new TopicSpecification { Name = "bad-config", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["retention.mss"] = "1" } },
            new TopicSpecification { Name = "fine", NumPartitions = 2, ReplicationFactor = 1 },
        ]));

        var byName = error.Results.ToDictionary(r => r.Topic, r => r.Error.Code);
        Assert.Equal(ErrorCode.TopicAlreadyExists, byName["existing"]);
        Assert.Equal(ErrorCode.TopicException, byName["bad/name"]);
        Assert.Equal(ErrorCode.InvalidConfig, byName["bad-config"]);
        Assert.Equal(ErrorCode.NoError, byName["fine"]);
    }

    [Fact]
    public async Task CreateTopics_ValidateOnly_CreatesNothing()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var admin = Admin(broker);

        await admin.CreateTopicsAsync([new TopicSpecification { Name = "dry", NumPartitions = 3, ReplicationFactor = 1 }], new CreateTopicsOptions { ValidateOnly = true });

        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == "dry");
    }

    [Fact]
    public async Task CreateTopics_MoreThanTenThousandPartitionsInOneRequest_RefusesEveryTopicWithPolicyViolation()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var admin = Admin(broker);

        // 6,000 + 4,001: each topic alone would be fine, the request as a whole is above Kafka's bound of 10,000.
        var failure = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
        [
            new TopicSpecification { Name = "wide-a", NumPartitions = 6_000, ReplicationFactor = 1 },
            new TopicSpecification { Name = "wide-b", NumPartitions = 4_001, ReplicationFactor = 1 },
        ]));

        Assert.Equal(2, failure.Results.Count);
        Assert.All(failure.Results, r => Assert.Equal(ErrorCode.PolicyViolation, r.Error.Code));
        Assert.All(failure.Results, r => Assert.Contains("Excessively large number of partitions", r.Error.Reason, StringComparison.Ordinal));
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic.StartsWith("wide-", StringComparison.Ordinal));

        // Exactly the bound is allowed.
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "wide-c", NumPartitions = 10_000, ReplicationFactor = 1 }]);
    }

    [Fact]
    public async Task CreatePartitions_MoreThanTenThousandNewPartitionsInOneRequest_RefusesEveryTopicWithPolicyViolation()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => { o.SeedTopics["grow-a"] = 1; o.SeedTopics["grow-b"] = 1; });
        using var admin = Admin(broker);

        var failure = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync(
        [
            new PartitionsSpecification { Topic = "grow-a", IncreaseTo = 6_001 },
            new PartitionsSpecification { Topic = "grow-b", IncreaseTo = 4_002 },
        ]));

        Assert.All(failure.Results, r => Assert.Equal(ErrorCode.PolicyViolation, r.Error.Code));
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.All(metadata.Topics.Where(t => t.Topic.StartsWith("grow-", StringComparison.Ordinal)), t => Assert.Single(t.Partitions));

        // 6,000 + 4,000 new partitions: exactly the bound is allowed.
        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "grow-a", IncreaseTo = 6_001 }, new PartitionsSpecification { Topic = "grow-b", IncreaseTo = 4_001 }]);
    }

    [Fact]
    public async Task CreatePartitions_Grow_AddsPartitionsAndRefusesShrink()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["grow"] = 2);
        using var admin = Admin(broker);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "grow", IncreaseTo = 5 }]);
        var error = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "grow", IncreaseTo = 3 }]));

        Assert.Equal(5, admin.GetMetadata("grow", TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count);
        Assert.Equal(ErrorCode.InvalidPartitions, error.Results.Single().Error.Code);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_SetAndDelete_ChangesEffectiveValues()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["cfg"] = 1);
        using var admin = Admin(broker);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "cfg" };

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new ConfigEntry { Name = "retention.ms", Value = "1000", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = "cleanup.policy", Value = "compact", IncrementalOperation = AlterConfigOpType.Append },
            ],
        });
        var afterSet = (await admin.DescribeConfigsAsync([resource])).Single().Entries;

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "retention.ms", IncrementalOperation = AlterConfigOpType.Delete }],
        });
        var afterDelete = (await admin.DescribeConfigsAsync([resource])).Single().Entries;

        Assert.Equal("1000", afterSet["retention.ms"].Value);
        Assert.Equal("delete,compact", afterSet["cleanup.policy"].Value);
        Assert.Equal("604800000", afterDelete["retention.ms"].Value);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_InvalidValue_FailsWithInvalidConfig()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["cfg"] = 1);
        using var admin = Admin(broker);

        var error = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = "cfg" }] = [new ConfigEntry { Name = "min.insync.replicas", Value = "zero", IncrementalOperation = AlterConfigOpType.Set }],
        }));

        Assert.Equal(ErrorCode.InvalidConfig, error.Results.Single().Error.Code);
    }

    [Fact]
    public async Task DeleteRecords_BeforeOffset_MovesLowWatermark()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["trim"] = 1);
        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("trim", new Message<Null, string> { Value = $"m{i}" });
            }
        }

        using var admin = Admin(broker);
        var result = await admin.DeleteRecordsAsync([new TopicPartitionOffset("trim", 0, 4)]);

        Assert.Equal(4, result.Single().Offset.Value);
        using var consumer = new ConsumerBuilder<Null, string>(broker.ConsumerConfig()).Build();
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("trim", 0), TimeSpan.FromSeconds(10));
        Assert.Equal(4, watermarks.Low.Value);
        Assert.Equal(10, watermarks.High.Value);
    }

    [Fact]
    public async Task DescribeCluster_ThreeNodes_ListsEveryNodeAndController()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.NodeCount = 3);
        using var admin = Admin(broker);

        var cluster = await admin.DescribeClusterAsync();

        Assert.Equal(broker.Broker.ClusterId, cluster.ClusterId);
        Assert.Equal([0, 1, 2], cluster.Nodes.Select(n => n.Id).Order());
        Assert.Equal(0, cluster.Controller.Id);
    }
}

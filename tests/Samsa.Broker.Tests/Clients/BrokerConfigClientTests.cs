using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker.Tests.Support;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Dynamic broker configs and the deprecated message-format settings, as an AdminClient
/// (Confluent.Kafka/librdkafka) sees them.
/// </summary>
public sealed class BrokerConfigClientTests : IDisposable
{
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-broker-configs-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    private static IAdminClient Admin(EmbeddedBroker broker) => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

    private static ConfigResource Broker(string name) => new() { Type = ResourceType.Broker, Name = name };

    private static Task SetAsync(IAdminClient admin, ConfigResource resource, params (string Name, string? Value)[] configs) =>
        admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = configs.Select(c => new ConfigEntry
            {
                Name = c.Name,
                Value = c.Value,
                IncrementalOperation = c.Value is null ? AlterConfigOpType.Delete : AlterConfigOpType.Set,
            }).ToList(),
        });

    /// <summary>
    /// Sets cluster-wide defaults (the broker resource named ""), as kafka-configs.sh --entity-default
    /// does; librdkafka refuses an empty resource name, so this goes over the wire directly.
    /// </summary>
    private static async Task SetClusterDefaultAsync(EmbeddedBroker broker, params (string Name, string? Value)[] configs)
    {
        using var client = await RawKafkaClient.ConnectAsync(broker.Broker);
        var request = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new()
                {
                    ResourceType = 4,
                    ResourceName = "",
                    Configs = configs.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Name, Value = c.Value, ConfigOperation = (sbyte)(c.Value is null ? 1 : 0) }).ToList(),
                },
            ],
        };
        var response = await client.RoundTripAsync<IncrementalAlterConfigsResponse>(request, 1);
        Assert.Equal(0, Assert.Single(response.Responses).ErrorCode);
    }

    private static async Task<List<string>> DescribeClusterDefaultNamesAsync(EmbeddedBroker broker)
    {
        using var client = await RawKafkaClient.ConnectAsync(broker.Broker);
        var response = await client.RoundTripAsync<DescribeConfigsResponse>(
            new DescribeConfigsRequest { Resources = [new() { ResourceType = 4, ResourceName = "", ConfigurationKeys = null }] }, 4);
        var result = Assert.Single(response.Results);
        Assert.All(result.Configs, c => Assert.Equal((sbyte)ConfigSource.DynamicDefaultBrokerConfig, c.ConfigSource));
        return result.Configs.Select(c => c.Name).ToList();
    }

    private static async Task<Dictionary<string, ConfigEntryResult>> DescribeAsync(IAdminClient admin, ConfigResource resource) =>
        (await admin.DescribeConfigsAsync([resource])).Single().Entries;

    [Fact]
    public async Task IncrementalAlterConfigs_BrokerAndClusterDefault_DescribedWithTheirSources()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.NodeCount = 2;
            o.TopicConfigDefaults["log.retention.ms"] = "86400000";
        });
        using var admin = Admin(broker);

        await SetClusterDefaultAsync(broker, ("log.retention.ms", "3600000"), ("log.cleaner.threads", "2"));
        await SetAsync(admin, Broker("1"), ("log.retention.ms", "60000"));

        var node0 = await DescribeAsync(admin, Broker("0"));
        var node1 = await DescribeAsync(admin, Broker("1"));
        var clusterDefault = await DescribeClusterDefaultNamesAsync(broker);
        Assert.Equal(("3600000", ConfigSource.DynamicDefaultBrokerConfig), (node0["log.retention.ms"].Value, node0["log.retention.ms"].Source));
        Assert.Equal(("60000", ConfigSource.DynamicBrokerConfig), (node1["log.retention.ms"].Value, node1["log.retention.ms"].Source));
        Assert.Equal(("2", ConfigSource.DynamicDefaultBrokerConfig), (node1["log.cleaner.threads"].Value, node1["log.cleaner.threads"].Source));
        Assert.Equal(("1048588", ConfigSource.DefaultConfig), (node0["message.max.bytes"].Value, node0["message.max.bytes"].Source));
        Assert.Equal(ConfigSource.StaticBrokerConfig, node0["broker.id"].Source);
        Assert.Equal(["log.cleaner.threads", "log.retention.ms"], clusterDefault);

        await SetClusterDefaultAsync(broker, ("log.retention.ms", null));
        var afterDelete = await DescribeAsync(admin, Broker("0"));
        Assert.Equal(("86400000", ConfigSource.StaticBrokerConfig), (afterDelete["log.retention.ms"].Value, afterDelete["log.retention.ms"].Source));
    }

    [Fact]
    public async Task IncrementalAlterConfigs_ClusterDefaultMessageMaxBytes_AppliesToTopicsWithoutOverride()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["small"] = 1);
        using var admin = Admin(broker);

        await SetClusterDefaultAsync(broker, ("message.max.bytes", "2000"));

        var topic = await DescribeAsync(admin, new ConfigResource { Type = ResourceType.Topic, Name = "small" });
        Assert.Equal(("2000", ConfigSource.DynamicDefaultBrokerConfig), (topic["max.message.bytes"].Value, topic["max.message.bytes"].Source));
        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c => c.MessageSendMaxRetries = 0)).Build();
        var tooLarge = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync("small", new Message<Null, string> { Value = new string('x', 5000) }));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, tooLarge.Error.Code);
        await producer.ProduceAsync("small", new Message<Null, string> { Value = "fits" });
    }

    [Fact]
    public async Task IncrementalAlterConfigs_StaticOrInvalidBrokerConfig_FailsWithInvalidConfig()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var admin = Admin(broker);

        var notDynamic = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => SetAsync(admin, Broker("0"), ("broker.id", "7")));
        var invalid = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => SetAsync(admin, Broker("0"), ("log.cleaner.threads", "many")));

        Assert.Equal(ErrorCode.InvalidConfig, notDynamic.Results.Single().Error.Code);
        Assert.Contains("Cannot update these configs dynamically", notDynamic.Results.Single().Error.Reason, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidConfig, invalid.Results.Single().Error.Code);
        Assert.Equal(ConfigSource.DefaultConfig, (await DescribeAsync(admin, Broker("0")))["log.cleaner.threads"].Source);
    }

    [Fact]
    public async Task AlterConfigs_LegacyOnBroker_ReplacesItsDynamicConfigsAndSurvivesRestart()
    {
        await using (var broker = await EmbeddedBroker.StartAsync(o => o.DataDirectory = _dataDirectory.FullName))
        {
            using var admin = Admin(broker);
#pragma warning disable CS0618 // AlterConfigs is deprecated in favour of IncrementalAlterConfigs; tools still send it.
            await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [Broker("0")] = [new ConfigEntry { Name = "log.retention.bytes", Value = "1000000" }, new ConfigEntry { Name = "num.io.threads", Value = "4" }],
            });
#pragma warning restore CS0618
        }

        await using var restarted = await EmbeddedBroker.StartAsync(o => o.DataDirectory = _dataDirectory.FullName);
        using var again = Admin(restarted);
        var configs = await DescribeAsync(again, Broker("0"));
        Assert.Equal(("1000000", ConfigSource.DynamicBrokerConfig), (configs["log.retention.bytes"].Value, configs["log.retention.bytes"].Source));
        Assert.Equal(("4", ConfigSource.DynamicBrokerConfig), (configs["num.io.threads"].Value, configs["num.io.threads"].Source));
    }

    [Fact]
    public async Task CreateTopic_DeprecatedMessageFormatVersion_AcceptedAndDescribed()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.TopicConfigDefaults["log.message.format.version"] = "2.8");
        using var admin = Admin(broker);

        await admin.CreateTopicsAsync([new TopicSpecification { Name = "old-tool", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["message.format.version"] = "0.10.2" } }]);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "plain", NumPartitions = 1, ReplicationFactor = 1 }]);
        var invalid = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            [new TopicSpecification { Name = "bad", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["message.format.version"] = "banana" } }]));

        var oldTool = await DescribeAsync(admin, new ConfigResource { Type = ResourceType.Topic, Name = "old-tool" });
        var plain = await DescribeAsync(admin, new ConfigResource { Type = ResourceType.Topic, Name = "plain" });
        var node = await DescribeAsync(admin, Broker("0"));
        Assert.Equal(("0.10.2", ConfigSource.DynamicTopicConfig), (oldTool["message.format.version"].Value, oldTool["message.format.version"].Source));
        Assert.Equal(("2.8", ConfigSource.StaticBrokerConfig), (plain["message.format.version"].Value, plain["message.format.version"].Source));
        Assert.Equal("2.8", node["log.message.format.version"].Value);
        Assert.Equal(ErrorCode.InvalidConfig, invalid.Results.Single().Error.Code);
    }
}

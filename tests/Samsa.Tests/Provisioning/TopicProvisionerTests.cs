using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Configuration;
using Samsa.Provisioning;
using Samsa.TestUtils;

namespace Samsa.Tests.Provisioning;

/// <summary>Provisioning against an embedded 3-node broker: create, verify, grow, drift.</summary>
public sealed class TopicProvisionerTests : IAsyncLifetime
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private EmbeddedBroker _broker = null!;
    private IAdminClient _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _broker = await EmbeddedBroker.StartAsync(o => o.NodeCount = 3);
        _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.BootstrapServers }).Build();
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task ProvisionAsync_MissingTopic_CreatesItWithDeclaredSettings()
    {
        var options = Options(o => o.Topics["orders"] = new TopicDeclaration
        {
            Partitions = 12,
            ReplicationFactor = 3,
            MinInsyncReplicas = 2,
            RetentionMs = 3_600_000,
            CleanupPolicy = TopicCleanupPolicy.CompactDelete,
            Configs = { ["max.message.bytes"] = "2000000" },
        });

        var report = await Provision(options);

        var result = report["orders"];
        Assert.Equal(TopicProvisioningOutcome.Created, result.Outcome);
        Assert.Empty(result.Findings);
        var topic = await DescribeAsync("orders");
        Assert.Equal(12, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(3, p.Replicas.Count));
        var configs = await ConfigsAsync("orders");
        Assert.Equal("2", configs["min.insync.replicas"].Value);
        Assert.Equal("3600000", configs["retention.ms"].Value);
        Assert.Equal("compact,delete", configs["cleanup.policy"].Value);
        Assert.Equal("2000000", configs["max.message.bytes"].Value);
    }

    [Fact]
    public async Task ProvisionAsync_ProfileDefaults_ProductionIsSixPartitionsThreeReplicasTwoInSync()
    {
        var options = Options(o => o.Topics["payments"] = new TopicDeclaration(), KafkaProfile.Production);

        var report = await Provision(options);

        Assert.Equal(TopicProvisioningOutcome.Created, report["payments"].Outcome);
        var topic = await DescribeAsync("payments");
        Assert.Equal(TopicDefaults.Production.Partitions, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(TopicDefaults.Production.ReplicationFactor, p.Replicas.Count));
        Assert.Equal("2", (await ConfigsAsync("payments"))["min.insync.replicas"].Value);
    }

    [Fact]
    public async Task ProvisionAsync_ExistingTopicAsDeclared_VerifiesWithoutChanges()
    {
        await CreateAsync("orders", 6, 3, new() { ["min.insync.replicas"] = "2", ["cleanup.policy"] = "delete" });
        var options = Options(o => o.Topics["orders"] = new TopicDeclaration
        {
            Partitions = 6, ReplicationFactor = 3, MinInsyncReplicas = 2, CleanupPolicy = TopicCleanupPolicy.Delete,
        });

        var report = await Provision(options);

        Assert.Equal(TopicProvisioningOutcome.Verified, report["orders"].Outcome);
        Assert.Empty(report.Findings);
        Assert.Equal(6, (await DescribeAsync("orders")).Partitions.Count);
    }

    [Fact]
    public async Task ProvisionAsync_FewerPartitionsAndAddingAllowed_AddsPartitions()
    {
        await CreateAsync("orders", 2, 3, new() { ["min.insync.replicas"] = "2" });
        var options = Options(o =>
        {
            o.Topics["orders"] = new TopicDeclaration { Partitions = 5, ReplicationFactor = 3, MinInsyncReplicas = 2 };
            o.Provisioning.AllowAddPartitions = true;
        });

        var report = await Provision(options);

        Assert.Equal(TopicProvisioningOutcome.PartitionsAdded, report["orders"].Outcome);
        Assert.Equal(5, report["orders"].Partitions);
        Assert.False(report.HasErrors);
        Assert.Equal(5, (await DescribeAsync("orders")).Partitions.Count);
    }

    [Theory]
    [InlineData(TopicDriftPolicy.Error, ProvisioningSeverity.Error)]
    [InlineData(TopicDriftPolicy.Warn, ProvisioningSeverity.Warning)]
    public async Task ProvisionAsync_FewerPartitionsAndAddingOff_ReportsDriftByPolicy(TopicDriftPolicy policy, ProvisioningSeverity expected)
    {
        await CreateAsync("orders", 2, 3, new() { ["min.insync.replicas"] = "2" });
        var options = Options(o =>
        {
            o.Topics["orders"] = new TopicDeclaration { Partitions = 5, ReplicationFactor = 3, MinInsyncReplicas = 2 };
            o.Provisioning.DriftPolicy = policy;
        });

        var report = await Provision(options);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(expected, finding.Severity);
        Assert.Equal("partitions", finding.Setting);
        Assert.Contains("Topic `orders` has 2 partition(s), fewer than the 5 declared", finding.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:Provisioning:AllowAddPartitions`", finding.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await DescribeAsync("orders")).Partitions.Count);
    }

    [Fact]
    public async Task ProvisionAsync_MorePartitionsThanDeclared_NeverRemovesThem()
    {
        await CreateAsync("orders", 8, 3, new() { ["min.insync.replicas"] = "2" });
        var options = Options(o =>
        {
            o.Topics["orders"] = new TopicDeclaration { Partitions = 3, ReplicationFactor = 3, MinInsyncReplicas = 2 };
            o.Provisioning.AllowAddPartitions = true;
        });

        var report = await Provision(options);

        Assert.False(report.HasErrors);
        var warning = Assert.Single(report.Warnings);
        Assert.Contains("has 8 partition(s), more than the 3 declared; partitions are never removed", warning.Message, StringComparison.Ordinal);
        Assert.Equal(8, (await DescribeAsync("orders")).Partitions.Count);
    }

    [Theory]
    [InlineData(TopicDriftPolicy.Error, ProvisioningSeverity.Error)]
    [InlineData(TopicDriftPolicy.Warn, ProvisioningSeverity.Warning)]
    public async Task ProvisionAsync_CleanupPolicyDiffers_ReportsDriftByPolicyAndLeavesConfig(TopicDriftPolicy policy, ProvisioningSeverity expected)
    {
        await CreateAsync("customers", 1, 3, new() { ["min.insync.replicas"] = "2" });
        var options = Options(o =>
        {
            o.Topics["customers"] = new TopicDeclaration { Partitions = 1, ReplicationFactor = 3, MinInsyncReplicas = 2, CleanupPolicy = TopicCleanupPolicy.Compact };
            o.Provisioning.DriftPolicy = policy;
        });

        var report = await Provision(options);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(expected, finding.Severity);
        Assert.Equal("cleanup.policy", finding.Setting);
        Assert.Contains("Topic `customers` has cleanup.policy `delete`, but `compact` is declared", finding.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:Topics:customers:CleanupPolicy`", finding.Message, StringComparison.Ordinal);
        Assert.Equal("delete", (await ConfigsAsync("customers"))["cleanup.policy"].Value);
    }

    [Theory]
    [InlineData(TopicDriftPolicy.Error, ProvisioningSeverity.Error)]
    [InlineData(TopicDriftPolicy.Warn, ProvisioningSeverity.Warning)]
    public async Task ProvisionAsync_LowerReplication_ReportsDriftByPolicy(TopicDriftPolicy policy, ProvisioningSeverity expected)
    {
        await CreateAsync("audit", 2, 1, []);
        var options = Options(o =>
        {
            o.Topics["audit"] = new TopicDeclaration { Partitions = 2, ReplicationFactor = 3, MinInsyncReplicas = 1 };
            o.Provisioning.DriftPolicy = policy;
        });

        var report = await Provision(options);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(expected, finding.Severity);
        Assert.Equal("replication.factor", finding.Setting);
        Assert.Contains("has replication factor 1, lower than the 3 declared", finding.Message, StringComparison.Ordinal);
        Assert.Equal(1, report["audit"].ReplicationFactor);
    }

    [Fact]
    public async Task ProvisionAsync_LowerMinInsyncAndRetention_ReportsEachDrift()
    {
        await CreateAsync("events", 1, 3, new() { ["retention.ms"] = "1000" });
        var options = Options(o =>
        {
            o.Topics["events"] = new TopicDeclaration { Partitions = 1, ReplicationFactor = 3, MinInsyncReplicas = 2, RetentionMs = 86_400_000 };
            o.Provisioning.DriftPolicy = TopicDriftPolicy.Warn;
        });

        var report = await Provision(options);

        Assert.Equal(["min.insync.replicas", "retention.ms"], report.Findings.Select(f => f.Setting).Order());
        Assert.Contains(report.Warnings, f => f.Message.Contains("has min.insync.replicas 1 (the broker default), lower than the 2 declared", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, f => f.Message.Contains("has retention.ms `1000`, but `86400000` is declared", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProvisionAsync_ExistingMinInsyncAboveReplication_IsErrorWhateverThePolicy()
    {
        await CreateAsync("broken", 1, 1, new() { ["min.insync.replicas"] = "2" });
        var options = Options(o =>
        {
            o.Topics["broken"] = new TopicDeclaration { Partitions = 1, ReplicationFactor = 1, MinInsyncReplicas = 1 };
            o.Provisioning.DriftPolicy = TopicDriftPolicy.Warn;
        });

        var report = await Provision(options);

        Assert.True(report.HasErrors);
        Assert.Contains(report.Errors, f => f.Message.Contains("has min.insync.replicas 2, above its replication factor 1: every acks=all write fails with NOT_ENOUGH_REPLICAS", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ProvisionAsync_CreateMissingOff_ReportsMissingTopicAsError()
    {
        var options = Options(o =>
        {
            o.Topics["orders"] = new TopicDeclaration();
            o.Provisioning.CreateMissingTopics = false;
        });

        var report = await Provision(options);

        Assert.Equal(TopicProvisioningOutcome.Missing, report["orders"].Outcome);
        var error = Assert.Single(report.Errors);
        Assert.Contains("Topic `orders` does not exist, and `Kafka:Provisioning:CreateMissingTopics` is false", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == "orders");
    }

    [Fact]
    public async Task ProvisionAsync_NoTopicsDeclared_ReturnsEmptyReportWithoutRequests()
    {
        var report = await new TopicProvisioner().ProvisionAsync(_admin, Options(_ => { }), RequestTimeout, TestContext.Current.CancellationToken);

        Assert.Empty(report.Topics);
        Assert.False(report.HasErrors);
    }

    [Fact]
    public async Task ProvisionAsync_TooFewInSyncReplicas_ReportsErrorForAcksAll()
    {
        await CreateAsync("orders", 3, 3, new() { ["min.insync.replicas"] = "2" });
        await _broker.Broker.StopNodeAsync(1);
        await _broker.Broker.StopNodeAsync(2);
        var options = Options(o => o.Topics["orders"] = new TopicDeclaration { Partitions = 3, ReplicationFactor = 3, MinInsyncReplicas = 2 });

        var report = await Provision(options);

        Assert.Contains(report.Errors, f => f.Setting == "min.insync.replicas" && f.Message.Contains("fewer in-sync replicas than its min.insync.replicas 2", StringComparison.Ordinal));
    }

    private static KafkaOptions Options(Action<KafkaOptions> configure, KafkaProfile profile = KafkaProfile.Development)
    {
        var options = new KafkaOptions { Profile = profile };
        configure(options);
        return options;
    }

    private Task<ProvisioningReport> Provision(KafkaOptions options) =>
        new TopicProvisioner().ProvisionAsync(_admin, options, RequestTimeout, TestContext.Current.CancellationToken);

    private Task CreateAsync(string name, int partitions, short replication, Dictionary<string, string> configs) =>
        _admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = replication, Configs = configs }]);

    private async Task<TopicDescription> DescribeAsync(string topic) =>
        (await _admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]))).TopicDescriptions.Single();

    private async Task<Dictionary<string, ConfigEntryResult>> ConfigsAsync(string topic) =>
        (await _admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }])).Single().Entries;
}

using Confluent.Kafka;
using Samsa.Configuration;
using Samsa.Provisioning;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Provisioning;

public class TopicDeclarationValidatorTests
{
    [Fact]
    public void Check_ValidDeclarations_NoIssues()
    {
        var options = Development(o =>
        {
            o.Topics["orders"] = new TopicDeclaration { Partitions = 6, ReplicationFactor = 1 };
            o.Topics["audit.log-v2_x"] = new TopicDeclaration();
        });

        Assert.Empty(Errors(options));
    }

    [Theory]
    [InlineData("bad/name", "contains `/`")]
    [InlineData("..", "cannot be `.` or `..`")]
    [InlineData("orders events", "contains ` `")]
    public void Check_IllegalTopicName_ReportsWhy(string name, string problem)
    {
        var options = Development(o => o.Topics[name] = new TopicDeclaration());

        var error = Assert.Single(Errors(options));
        Assert.Contains($"Topic name `{name}` (`Kafka:Topics:{name}`) {problem}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NameLongerThanKafkaAllows_Reported()
    {
        var name = new string('a', 250);
        var options = Development(o => o.Topics[name] = new TopicDeclaration());

        Assert.Contains("is 250 characters long; Kafka allows at most 249", Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OutOfRangeSettings_ReportsEveryOne()
    {
        var options = Development(o => o.Topics["orders"] = new TopicDeclaration
        {
            Partitions = 0, ReplicationFactor = -1, MinInsyncReplicas = 0, RetentionMs = -2, CleanupPolicy = (TopicCleanupPolicy)9,
        });

        var messages = Errors(options).Select(e => e.Message).ToList();
        Assert.Contains("`Kafka:Topics:orders:Partitions` is 0; expected at least 1.", messages);
        Assert.Contains("`Kafka:Topics:orders:ReplicationFactor` is -1; expected at least 1.", messages);
        Assert.Contains("`Kafka:Topics:orders:MinInsyncReplicas` is 0; expected at least 1.", messages);
        Assert.Contains("`Kafka:Topics:orders:RetentionMs` is -2; expected -1 (no limit) or more.", messages);
        Assert.Contains(messages, m => m.StartsWith("`Kafka:Topics:orders:CleanupPolicy` is 9", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_MinInsyncAboveReplication_ErrorNamesBothAndTheirOrigins()
    {
        var options = Development(o => o.Topics["orders"] = new TopicDeclaration { MinInsyncReplicas = 3, ReplicationFactor = 2 });

        var error = Assert.Single(Errors(options));
        Assert.Equal("Kafka:Topics:orders:MinInsyncReplicas", error.Setting);
        Assert.Contains("min.insync.replicas is 3 (from `Kafka:Topics:orders:MinInsyncReplicas`) but the replication factor is 2 (from `Kafka:Topics:orders:ReplicationFactor`)", error.Message, StringComparison.Ordinal);
        Assert.Contains("every acks=all write would fail with NOT_ENOUGH_REPLICAS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ReplicationBelowProfileMinInsync_ErrorNamesProfileDefault()
    {
        var options = Production(o => o.Topics["orders"] = new TopicDeclaration { ReplicationFactor = 1 });

        var error = Assert.Single(Errors(options), e => e.Setting.StartsWith("Kafka:Topics", StringComparison.Ordinal));
        Assert.Contains("min.insync.replicas is 2 (from the Production profile default) but the replication factor is 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MinInsyncEqualsReplication_Warns()
    {
        var options = Development(o => o.Topics["orders"] = new TopicDeclaration { MinInsyncReplicas = 3, ReplicationFactor = 3 });

        Assert.Contains(Warnings(options), w => w.Message.Contains("fail whenever any one of its brokers is down", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ConfigsDuplicateTypedSetting_ConflictAndNonConfigReported()
    {
        var options = Development(o => o.Topics["orders"] = new TopicDeclaration
        {
            RetentionMs = 1000,
            Configs = { ["retention.ms"] = "2000", ["replication.factor"] = "3", ["cleanup.policy"] = "archive" },
        });

        var messages = Errors(options).Select(e => e.Message).ToList();
        Assert.Contains("`Kafka:Topics:orders:Configs:retention.ms`=`2000` conflicts with `Kafka:Topics:orders:RetentionMs`=`1000`; set it in one place.", messages);
        Assert.Contains("`Kafka:Topics:orders:Configs:replication.factor`: `replication.factor` is not a topic config; set `Kafka:Topics:orders:ReplicationFactor` instead.", messages);
        Assert.Contains("`Kafka:Topics:orders:Configs:cleanup.policy`=`archive` is not a valid `cleanup.policy`; set `Kafka:Topics:orders:CleanupPolicy` instead.", messages);
    }

    [Fact]
    public void Check_MinInsyncOnlyInConfigs_UsedForTheReplicationRule()
    {
        var options = Development(o => o.Topics["orders"] = new TopicDeclaration { Configs = { ["min.insync.replicas"] = "2" } });

        Assert.Contains("min.insync.replicas is 2 (from `Kafka:Topics:orders:MinInsyncReplicas`) but the replication factor is 1", Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AcksOneWithMinInsync_WarnsThatWritesAreNotProtected()
    {
        var options = Development(o =>
        {
            o.Producer.Acks = Acks.Leader;
            o.Topics["orders"] = new TopicDeclaration { ReplicationFactor = 3, MinInsyncReplicas = 2 };
        });

        Assert.Contains(Warnings(options), w => w.Setting == "Kafka:Producer:Acks"
            && w.Message.Contains("is 1 (from `Kafka:Producer:Acks`), so the min.insync.replicas of `orders` does not protect writes", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ThroughBinding_TopicIssuesComeWithOtherConfigurationIssues()
    {
        var options = Load(Config(("Kafka:BootstrapServers", "broker"), ("Kafka:Topics:orders:MinInsyncReplicas", "3")), environmentName: "Development");

        var messages = Errors(options).Select(e => e.Message).ToList();
        Assert.Contains(messages, m => m.Contains("entry `broker` has no port", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Topic `orders`: min.insync.replicas is 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_UnsetSettings_TakeProfileDefaults()
    {
        var production = ResolvedTopic.Resolve("t", new TopicDeclaration(), KafkaProfile.Production);
        var development = ResolvedTopic.Resolve("t", new TopicDeclaration { Partitions = 3 }, KafkaProfile.Development);

        Assert.Equal((6, (short)3, 2), (production.Partitions, production.ReplicationFactor, production.MinInsyncReplicas));
        Assert.Equal((3, (short)1, 1), (development.Partitions, development.ReplicationFactor, development.MinInsyncReplicas));
        Assert.Null(production.RetentionMs);
        Assert.Equal(new Dictionary<string, string> { ["min.insync.replicas"] = "2" }, production.CreationConfigs());
    }
}

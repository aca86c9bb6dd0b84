using Samsa.Configuration;
using Samsa.Provisioning;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Provisioning;

public class TopicDeclarationBinderTests
{
    [Fact]
    public void BindSection_TopicSections_BindEverySetting()
    {
        var options = Load(Config(
            ("Kafka:Topics:orders:Partitions", "12"),
            ("Kafka:Topics:orders:ReplicationFactor", "3"),
            ("Kafka:Topics:orders:MinInsyncReplicas", "2"),
            ("Kafka:Topics:orders:RetentionMs", "-1"),
            ("Kafka:Topics:orders:CleanupPolicy", "delete,compact"),
            ("Kafka:Topics:orders:Configs:max.message.bytes", "2000000"),
            ("Kafka:Topics:audit.log:Partitions", "1")));

        Assert.Empty(options.BindingIssues);
        var orders = options.Topics["orders"];
        Assert.Equal(12, orders.Partitions);
        Assert.Equal((short)3, orders.ReplicationFactor);
        Assert.Equal(2, orders.MinInsyncReplicas);
        Assert.Equal(-1, orders.RetentionMs);
        Assert.Equal(TopicCleanupPolicy.CompactDelete, orders.CleanupPolicy);
        Assert.Equal("2000000", orders.Configs["max.message.bytes"]);
        Assert.Equal(1, options.Topics["audit.log"].Partitions);
    }

    [Fact]
    public void BindSection_ListOfNamesOrEmptyValue_DeclaresTopicsWithDefaults()
    {
        var options = Load(Config(("Kafka:Topics:0", "orders"), ("Kafka:Topics:1", "payments"), ("Kafka:Topics:audit", "")));

        Assert.Empty(options.BindingIssues);
        Assert.Equal(["audit", "orders", "payments"], options.Topics.Keys.Order(StringComparer.Ordinal));
        Assert.Null(options.Topics["orders"].Partitions);
    }

    [Fact]
    public void BindSection_UnknownTopicKey_ReportsNearestSetting()
    {
        var options = Load(Config(
            ("Kafka:Topics:orders:NumPartitions", "12"),
            ("Kafka:Topics:orders:min.insync.replicas", "2"),
            ("Kafka:Topic:orders:Partitions", "1")));

        var messages = options.BindingIssues.Select(i => i.Message).ToList();
        Assert.Contains(messages, m => m.StartsWith("`Kafka:Topics:orders:NumPartitions` is not a topic setting", StringComparison.Ordinal) && m.EndsWith("did you mean `Partitions`?", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("`Kafka:Topics:orders:min.insync.replicas` is not a topic setting", StringComparison.Ordinal) && m.EndsWith("did you mean `MinInsyncReplicas`?", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("`Kafka:Topic` is not a setting; did you mean `Kafka:Topics`?", StringComparison.Ordinal));
    }

    [Fact]
    public void BindSection_UnreadableValues_ReportEachWithExpectation()
    {
        var options = Load(Config(
            ("Kafka:Topics:orders:Partitions", "six"),
            ("Kafka:Topics:orders:ReplicationFactor", "40000"),
            ("Kafka:Topics:orders:CleanupPolicy", "archive"),
            ("Kafka:Topics:orders:Configs:nested:key", "1"),
            ("Kafka:Topics:payments", "yes")));

        var messages = options.BindingIssues.Select(i => i.Message).ToList();
        Assert.Contains("`Kafka:Topics:orders:Partitions`=`six` cannot be read; expected a whole number.", messages);
        Assert.Contains("`Kafka:Topics:orders:ReplicationFactor`=`40000` cannot be read; expected a whole number up to 32767.", messages);
        Assert.Contains("`Kafka:Topics:orders:CleanupPolicy`=`archive` cannot be read; expected delete, compact or compact,delete.", messages);
        Assert.Contains(messages, m => m.StartsWith("`Kafka:Topics:orders:Configs:nested` is a section", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("`Kafka:Topics:payments`=`yes`: a topic is declared by a section", StringComparison.Ordinal));
    }

    [Fact]
    public void BindSection_ProvisioningSection_BindsPolicyAndSwitches()
    {
        var options = Load(Config(
            ("Kafka:Provisioning:DriftPolicy", "warning"),
            ("Kafka:Provisioning:CreateMissingTopics", "false"),
            ("Kafka:Provisioning:AllowAddPartitions", "true")));

        Assert.Empty(options.BindingIssues);
        Assert.Equal(TopicDriftPolicy.Warn, options.Provisioning.DriftPolicy);
        Assert.False(options.Provisioning.CreateMissingTopics);
        Assert.True(options.Provisioning.AllowAddPartitions);
    }

    [Fact]
    public void BindSection_BadProvisioningValues_Reported()
    {
        var options = Load(Config(("Kafka:Provisioning:DriftPolicy", "ignore"), ("Kafka:Provisioning:AllowAddPartition", "true")));

        var messages = options.BindingIssues.Select(i => i.Message).ToList();
        Assert.Contains("`Kafka:Provisioning:DriftPolicy`=`ignore` cannot be read; expected Error or Warn.", messages);
        Assert.Contains(messages, m => m.EndsWith("did you mean `AllowAddPartitions`?", StringComparison.Ordinal));
    }

    [Fact]
    public void ProvisioningOptions_Defaults_CreateMissingErrorOnDriftNoGrowth()
    {
        var options = new ProvisioningOptions();

        Assert.True(options.CreateMissingTopics);
        Assert.False(options.AllowAddPartitions);
        Assert.Equal(TopicDriftPolicy.Error, options.DriftPolicy);
    }

    [Theory]
    [InlineData("delete", TopicCleanupPolicy.Delete)]
    [InlineData("COMPACT", TopicCleanupPolicy.Compact)]
    [InlineData("compact, delete", TopicCleanupPolicy.CompactDelete)]
    [InlineData("delete,compact", TopicCleanupPolicy.CompactDelete)]
    [InlineData("CompactDelete", TopicCleanupPolicy.CompactDelete)]
    public void TryParse_KafkaAndEnumSpellings_Parse(string text, TopicCleanupPolicy expected)
    {
        Assert.True(TopicCleanupPolicies.TryParse(text, out var policy));
        Assert.Equal(expected, policy);
    }

    [Theory]
    [InlineData("")]
    [InlineData("archive")]
    [InlineData("delete,archive")]
    [InlineData("7")]
    [InlineData("1")]
    public void TryParse_Other_Fails(string text) => Assert.False(TopicCleanupPolicies.TryParse(text, out _));
}

using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Samsa.Consuming;
using Samsa.Provisioning;
using Samsa.Tests.DependencyInjection;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>The retry, dead-letter and replay-ledger topics a consumer declares, and what provisioning makes of them.</summary>
public sealed class ConsumerTopicDeclarationsTests
{
    private static readonly long ThreeDays = (long)TimeSpan.FromDays(3).TotalMilliseconds;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Provisioning_ConsumerWithRetryTopics_CreatesRetryDeadLetterAndLedgerTopicsLikeTheSource()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler, partitions: 3,
            configure: options => options.Retry.RetryTopicDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)],
            more: samsa => samsa
                .AddTopic("orders", t => t.RetentionMs = ThreeDays)
                .AddTopic("orders.dlq", t => t.RetentionMs = (long)TimeSpan.FromHours(1).TotalMilliseconds));

        await host.StartAsync(Token);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        foreach (var topic in new[] { "orders.retry.1", "orders.retry.2", "orders.dlq" })
        {
            Assert.Equal(3, Partitions(admin, topic));
            Assert.True(Retention(await ConfigsAsync(admin, topic)) >= ThreeDays, $"{topic} keeps records at least as long as orders");
        }

        var ledger = await ConfigsAsync(admin, "orders.dlq.replayed");
        Assert.Equal(1, Partitions(admin, "orders.dlq.replayed"));
        Assert.Equal("compact", ledger[TopicConfigNames.CleanupPolicy].Value);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Provisioning_SourceNotDeclaredButOnTheCluster_RetryAndDeadLetterTopicsFollowIt()
    {
        await using var broker = await StartBrokerAsync();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = "payments",
            NumPartitions = 4,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { [TopicConfigNames.RetentionMs] = ThreeDays.ToString(CultureInfo.InvariantCulture) },
        }]);
        var handler = new RecordingHandler();
        using var host = SamsaTestHost.Build(broker.BootstrapServers, samsa =>
        {
            samsa.Services.AddSingleton(handler);
            samsa.AddConsumer<RecordingHandler, TestEvent>("payments", "billing", options =>
            {
                Fast(options);
                options.Retry.RetryTopicDelays = [TimeSpan.FromSeconds(1)];
            });
            samsa.AddTopic("payments.retry.1", t => t.Partitions = 2);
        });

        await host.StartAsync(Token);

        Assert.Equal(4, Partitions(admin, "payments.dlq"));
        Assert.Equal(2, Partitions(admin, "payments.retry.1"));
        Assert.Equal(1, Partitions(admin, "payments.dlq.replayed"));
        Assert.Equal(ThreeDays, Retention(await ConfigsAsync(admin, "payments.dlq")));
        Assert.Equal(ThreeDays, Retention(await ConfigsAsync(admin, "payments.retry.1")));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Provisioning_SourceNeitherDeclaredNorOnTheCluster_DeadLetterTopicGetsTheProfileDefaults()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = SamsaTestHost.Build(broker.BootstrapServers, samsa =>
        {
            samsa.Services.AddSingleton(handler);
            samsa.AddConsumer<RecordingHandler, TestEvent>("refunds", "billing", Fast);
        });

        await host.StartAsync(Token);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        Assert.Equal(TopicDefaults.For(KafkaProfile.Development).Partitions, Partitions(admin, "refunds.dlq"));
        await host.StopAsync(Token);
    }

    [Fact]
    public void Declare_SourceDeclared_FillsUnsetSettingsFromTheSourceAndKeepsExplicitOnes()
    {
        var kafka = new KafkaOptions();
        kafka.Topics["orders"] = new TopicDeclaration { Partitions = 6, ReplicationFactor = 3, MinInsyncReplicas = 2, RetentionMs = ThreeDays };
        kafka.Topics["orders.dlq"] = new TopicDeclaration { Partitions = 12, RetentionMs = (long)TimeSpan.FromDays(30).TotalMilliseconds };
        var options = new ConsumerOptions { Topic = "orders", GroupId = "billing" };
        options.Retry.RetryTopicDelays = [TimeSpan.FromSeconds(1)];

        ConsumerTopicDeclarations.Declare(kafka, options);

        var retry = kafka.Topics["orders.retry.1"];
        Assert.Equal((6, (short)3, 2, ThreeDays), (retry.Partitions, retry.ReplicationFactor, retry.MinInsyncReplicas, retry.RetentionMs));
        var dlq = kafka.Topics["orders.dlq"];
        Assert.Equal((12, (long)TimeSpan.FromDays(30).TotalMilliseconds), (dlq.Partitions, dlq.RetentionMs));
        var ledger = kafka.Topics["orders.dlq.replayed"];
        Assert.Equal((1, TopicCleanupPolicy.Compact, (short)3), (ledger.Partitions, ledger.CleanupPolicy, ledger.ReplicationFactor));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(1000L, null, 1000L)]
    [InlineData(null, 5000L, 5000L)]
    [InlineData(1000L, 5000L, 5000L)]
    [InlineData(9000L, 5000L, 9000L)]
    [InlineData(-1L, 5000L, -1L)]
    [InlineData(9000L, -1L, -1L)]
    public void AtLeast_DeclaredAndSourceRetention_TakesTheLonger(long? declared, long? source, long? expected)
    {
        Assert.Equal(expected, ConsumerTopicDeclarations.AtLeast(declared, source));
    }

    private static int Partitions(IAdminClient admin, string topic) =>
        admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;

    private static async Task<Dictionary<string, ConfigEntryResult>> ConfigsAsync(IAdminClient admin, string topic) =>
        (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }])).Single().Entries;

    private static long Retention(Dictionary<string, ConfigEntryResult> configs) =>
        long.Parse(configs[TopicConfigNames.RetentionMs].Value, CultureInfo.InvariantCulture);
}

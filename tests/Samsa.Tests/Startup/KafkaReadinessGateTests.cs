using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa.Provisioning;
using Samsa.Startup;
using Samsa.Tests.DependencyInjection;
using Samsa.TestUtils;

namespace Samsa.Tests.Startup;

/// <summary>Host start against real sockets: a closed port, a silent listener, the embedded broker, TLS servers.</summary>
public class KafkaReadinessGateTests
{
    private const int Bound = 30_000;

    [Fact(Timeout = Bound)]
    public async Task StartAsync_NothingListens_FailsNamingAddressAndSetting()
    {
        var address = $"127.0.0.1:{StartupTestSupport.ClosedPort()}";
        using var host = SamsaTestHost.Build(address);

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.TcpConnect, error.Check);
        Assert.Equal(address, error.Broker);
        Assert.True(error.IsTransient);
        Assert.StartsWith("Kafka start-up check failed: TCP connect to broker `" + address + "` was refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", error.Message, StringComparison.Ordinal);
        Assert.Contains($"currently `{address}`", error.Message, StringComparison.Ordinal);
        Assert.Contains("the broker is running", error.Message, StringComparison.Ordinal);
        Assert.Contains(host.Logs(), log => log.Level == LogLevel.Error && log.Message.Contains("TCP connect", StringComparison.Ordinal));
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_OneOfTwoBrokersDown_FailsNamingThatBroker()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var down = $"127.0.0.1:{StartupTestSupport.ClosedPort()}";
        using var host = SamsaTestHost.Build($"{broker.BootstrapServers},{down}");

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(down, error.Broker);
        Assert.DoesNotContain($"broker `{broker.BootstrapServers}`", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_MalformedBootstrapList_FailsBeforeConnecting()
    {
        using var host = SamsaTestHost.Build("broker-without-port, :9092");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Failures, f => f.Contains("`broker-without-port` has no port", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("`:9092` has no host", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs(), log => log.Category == typeof(KafkaReadinessGate).FullName);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_MalformedRawBootstrapProperty_FailsAtBootstrapCheck()
    {
        // A raw property bypasses the typed list's validation; the gate still refuses it before any connection.
        var builder = SamsaTestHost.Builder("Development", ("Kafka:Properties:bootstrap.servers", "broker-without-port"));
        builder.AddSamsaKafka();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.BootstrapAddress, error.Check);
        Assert.Contains("bootstrap address `broker-without-port` has no port", error.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:Properties:bootstrap.servers`", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_UnresolvableHost_FailsAtDnsResolution()
    {
        using var host = SamsaTestHost.Build("no-such-broker.invalid:9092", settings: s => s.BrokerConnectTimeout = TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.DnsResolution, error.Check);
        Assert.Contains("DNS resolution of broker `no-such-broker.invalid:9092`", error.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_BrokerAcceptsButNeverAnswers_FailsWithinStartupTimeout()
    {
        await using var silent = new SilentListener();
        using var host = SamsaTestHost.Build(silent.Address, settings: s => (s.StartupTimeout, s.BrokerConnectTimeout) = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
        Assert.Equal(KafkaStartupCheck.ClusterMetadata, error.Check);
        Assert.Contains("did not finish within 2 s (`Kafka:Hosting:StartupTimeout`)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"bootstrap `{silent.Address}`", error.Message, StringComparison.Ordinal);
        Assert.Contains("accept TCP connections but did not answer a Kafka request", error.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_SECURITY_PROTOCOL", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_DeclaredTopicNeedsMoreBrokers_FailsNamingTopicAndReason()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var host = SamsaTestHost.Build(broker.BootstrapServers, samsa => samsa.AddTopic("orders", t =>
        {
            t.ReplicationFactor = 3;
            t.MinInsyncReplicas = 2;
        }));

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.TopicProvisioning, error.Check);
        Assert.Contains("Topic `orders` cannot be created: replication factor 3 needs 3 brokers, and the cluster has 1 (ids 0)", error.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:Topics:orders:ReplicationFactor`", error.Message, StringComparison.Ordinal);
        Assert.False(await TopicExistsAsync(broker, "orders"));
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_BrokerRejectsTopicCreation_FailsWithBrokersReason()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var host = SamsaTestHost.Build(broker.BootstrapServers, samsa => samsa
            .AddTopic("payments")
            .AddTopic("orders", t => t.Configs["retention.mss"] = "1000"));

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.TopicProvisioning, error.Check);
        Assert.Contains("Topic `orders` could not be created", error.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidConfig", error.Message, StringComparison.Ordinal);
        Assert.Contains("retention.mss", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("`payments`", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_HealthyClusterWithDeclaredTopics_StartsAndProvisions()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.NodeCount = 3);
        using var host = SamsaTestHost.Build(
            broker.BootstrapServers,
            samsa => samsa.AddTopic("orders", t => t.Partitions = 4),
            configuration: ("Kafka:Topics:payments:ReplicationFactor", "3"));

        await host.StartAsync(TestContext.Current.CancellationToken);

        var report = host.Services.GetRequiredService<KafkaReadinessGate>().LastReport!;
        Assert.Equal(TopicProvisioningOutcome.Created, report["orders"].Outcome);
        Assert.Equal(4, report["orders"].Partitions);
        Assert.Equal(3, report["payments"].ReplicationFactor);
        var logs = host.Logs().Select(log => log.Message).ToList();
        Assert.Contains(logs, m => m.StartsWith("Kafka start-up check TCP connect passed", StringComparison.Ordinal));
        Assert.Contains(logs, m => m.StartsWith("Kafka start-up check cluster metadata passed", StringComparison.Ordinal) && m.Contains("3 broker(s)", StringComparison.Ordinal));
        Assert.Contains(logs, m => m.StartsWith("Kafka start-up checks passed", StringComparison.Ordinal));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Bound)]
    public async Task StartingAsync_GateFails_LaterHostedServicesNeverStart()
    {
        var builder = SamsaTestHost.Builder("Development", ("Kafka:BootstrapServers", $"127.0.0.1:{StartupTestSupport.ClosedPort()}"));
        var started = new StartRecorder();
        builder.Services.AddHostedService(_ => started);
        builder.AddSamsaKafka();
        using var host = builder.Build();

        await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.False(started.Started);
    }

    private static async Task<bool> TopicExistsAsync(EmbeddedBroker broker, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await Task.Yield();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Any(t => t.Topic == topic);
    }

    private sealed class StartRecorder : IHostedService
    {
        public bool Started { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

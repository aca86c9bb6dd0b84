using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Consuming;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Health;
using Samsa.Publishing;
using Samsa.Startup;
using Samsa.TestUtils;
using Samsa.Tests.Consuming;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.DependencyInjection;

/// <summary>
/// <c>AddSamsaKafka("billing")</c> beside the default cluster, against two embedded brokers over TCP: keyed publishers,
/// a consumer of one cluster, the named section's validation, a gate and a health check per cluster.
/// </summary>
public sealed class NamedClusterTests
{
    private const string Billing = "billing";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Takes the billing cluster's publisher the way an application's class does.</summary>
    public sealed class BillingSender([FromKeyedServices(Billing)] IEventPublisher publisher)
    {
        public IEventPublisher Publisher { get; } = publisher;
    }

    [Fact]
    public async Task KeyedPublisher_EachPublisherWritesToItsOwnCluster()
    {
        await using var main = await EmbeddedBroker.StartAsync();
        await using var billing = await EmbeddedBroker.StartAsync();
        using var host = Build(main, billing, samsa => samsa.AddTopic("orders", t => t.Partitions = 1).AddPublisher());
        await host.StartAsync(Token);

        var sender = ActivatorUtilities.CreateInstance<BillingSender>(host.Services);
        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new TestEvent(1), new PublishOptions { Topic = "orders" }, Token);
        await sender.Publisher.PublishAsync(new TestEvent(2), new PublishOptions { Topic = "orders" }, Token);

        Assert.Same(sender.Publisher, host.Services.GetRequiredKeyedService<IEventPublisher>(Billing));
        Assert.NotSame(sender.Publisher, host.Services.GetRequiredService<IEventPublisher>());
        Assert.Equal([1], ReadAll(main, "orders", 1, partitions: 1).Select(r => Event(r).Id));
        Assert.Equal([2], ReadAll(billing, "orders", 1, partitions: 1).Select(r => Event(r).Id));
        Assert.Equal(1, HighWatermark(main, "orders"));
        Assert.Equal(1, HighWatermark(billing, "orders"));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task NamedConsumer_ReadsOnlyItsCluster()
    {
        await using var main = await StartBrokerAsync();
        await using var billing = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = Build(
            main, billing, samsa => samsa.AddTopic("orders", t => t.Partitions = 1).AddConsumer<RecordingHandler, TestEvent>("orders", "ledger", Fast), services => services.AddSingleton(handler));
        await host.StartAsync(Token);
        Assert.Null(host.Services.GetKeyedService<ConsumerWorker>(SamsaConsumerBuilderExtensions.RegistrationName("ledger", "orders")));
        await host.Services.GetRequiredKeyedService<ConsumerWorker>("ledger:orders@billing").WaitForAssignmentAsync(1);

        // The default cluster's record goes first (its gate declared `orders` there too): a consumer of the wrong cluster would see it before the others.
        await ProduceAsync(main, "orders", [new TestEvent(1)]);
        await ProduceAsync(billing, "orders", [new TestEvent(2), new TestEvent(3)]);

        await Poll.UntilAsync(async () => (await CommittedAsync(billing, "ledger", "orders", 1))[0] == 2, "both billing records committed on billing");
        Assert.Equal([2, 3], handler.Calls.Select(c => c.Id));
        Assert.Equal(-1, (await CommittedAsync(main, "ledger", "orders", 1))[0]);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task NamedSection_MisspeltSettings_NearestNameErrorsNamingTheCluster()
    {
        using var host = Build(
            "127.0.0.1:9",
            "127.0.0.1:9",
            _ => { },
            configuration: [("Kafka:Clusters:billing:Producer:BatchSiz", "1000"), ("Kafka:Clusters:billing:BootstrapServer", "x:9092")]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Token));

        var failures = error.Failures.ToList();
        Assert.Equal(Billing, error.OptionsName);
        Assert.Contains(failures, f => f.StartsWith("Kafka cluster `billing`: ", StringComparison.Ordinal)
            && f.Contains("`Kafka:Clusters:billing:Producer:BatchSiz` is not a setting; did you mean `BatchSize` (`batch.size`)?", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("`Kafka:Clusters:billing:BootstrapServer` is not a setting; did you mean `BootstrapServers`", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.StartsWith("Kafka cluster `billing`: ", f, StringComparison.Ordinal));
    }

    [Fact]
    public void NamedCluster_ReadsItsSectionAndNoKafkaVariables()
    {
        var builder = SamsaTestHost.Builder(
            "Development",
            ("Kafka:BootstrapServers", "main:9092"),
            ("Kafka:Clusters:billing:BootstrapServers", "billing-1:9092,billing-2:9092"),
            ("Kafka:Clusters:billing:Producer:LingerMs", "7"));
        builder.Services.AddSingleton<IEnvironmentVariableSource>(new DictionaryEnvironmentVariableSource(new Dictionary<string, string>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "from-variable:9092",
            ["KAFKA_PRODUCER_LINGER_MS"] = "50",
        }));
        builder.AddSamsaKafka();
        builder.AddSamsaKafka(Billing);
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptionsMonitor<KafkaOptions>>();
        Assert.Equal(["from-variable:9092"], options.Get(Options.DefaultName).BootstrapServers);
        Assert.Equal(["billing-1:9092", "billing-2:9092"], options.Get(Billing).BootstrapServers);
        Assert.Equal(7, options.Get(Billing).Producer.LingerMs);
    }

    [Theory]
    [InlineData("billing")]
    [InlineData("BILLING")]
    public void AddSamsaKafka_SameNameTwice_Refused(string second)
    {
        var builder = SamsaTestHost.Builder();
        builder.AddSamsaKafka(Billing);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddSamsaKafka(second));

        Assert.Contains($"AddSamsaKafka(\"{second}\") has already been called", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("a__b")]
    [InlineData(" ")]
    public void AddSamsaKafka_NameThatCannotBeAKey_Refused(string name)
    {
        var builder = SamsaTestHost.Builder();

        Assert.ThrowsAny<ArgumentException>(() => builder.AddSamsaKafka(name));
    }

    [Fact]
    public async Task UnreachableNamedCluster_StartupFailsNamingItAfterTheDefaultClusterPassed()
    {
        await using var main = await EmbeddedBroker.StartAsync();
        var closed = ClosedPort();
        using var host = Build(main.BootstrapServers, $"127.0.0.1:{closed}", _ => { });

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(Token));

        Assert.StartsWith("Kafka start-up check failed on cluster `billing`: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{closed}", error.Message, StringComparison.Ordinal);
        Assert.Equal(KafkaStartupCheck.TcpConnect, error.Check);
        Assert.NotNull(host.Services.GetRequiredService<KafkaReadinessGate>().LastReport);
        Assert.Null(host.Services.GetRequiredKeyedService<KafkaReadinessGate>(Billing).LastReport);
    }

    [Fact]
    public async Task HealthChecks_OnePerCluster_TheStoppedClusterAloneUnhealthy()
    {
        await using var main = await EmbeddedBroker.StartAsync();
        await using var billing = await EmbeddedBroker.StartAsync();
        using var host = Build(main, billing, samsa => samsa.AddPublisher());
        await host.StartAsync(Token);
        var refresh = host.Services.GetRequiredService<HealthRefreshService>();
        var checks = host.Services.GetRequiredService<HealthCheckService>();

        await refresh.RefreshAsync(Token);
        var up = await checks.CheckHealthAsync(Token);
        Assert.Equal(HealthStatus.Healthy, up.Entries[SamsaNames.BrokerHealthCheck].Status);
        Assert.Equal(HealthStatus.Healthy, up.Entries["kafka@billing"].Status);
        Assert.Contains("kafka-producer@billing", up.Entries.Keys);

        await billing.Broker.StopNodeAsync(0);
        await refresh.RefreshAsync(Token);
        var down = await checks.CheckHealthAsync(Token);

        Assert.Equal(HealthStatus.Healthy, down.Entries[SamsaNames.BrokerHealthCheck].Status);
        Assert.Equal(HealthStatus.Unhealthy, down.Entries["kafka@billing"].Status);
        await host.StopAsync(Token);
    }

    private static IHost Build(EmbeddedBroker main, EmbeddedBroker billing, Action<SamsaKafkaBuilder> named, Action<IServiceCollection>? services = null) =>
        Build(main.BootstrapServers, billing.BootstrapServers, named, services);

    /// <summary>The default cluster at <paramref name="main"/> (topic <c>orders</c>, a publisher) and <c>billing</c> at <paramref name="billing"/>, its features added by <paramref name="named"/>.</summary>
    private static IHost Build(
        string main,
        string billing,
        Action<SamsaKafkaBuilder> named,
        Action<IServiceCollection>? services = null,
        params (string Key, string? Value)[] configuration)
    {
        var builder = SamsaTestHost.Builder("Development", [("Kafka:BootstrapServers", main), ("Kafka:Clusters:billing:BootstrapServers", billing), .. configuration]);
        services?.Invoke(builder.Services);
        builder.AddSamsaKafka(configureSettings: Short).AddTopic("orders", t => t.Partitions = 1).AddPublisher();
        named(builder.AddSamsaKafka(Billing, configureSettings: Short));
        return builder.Build();
    }

    private static void Short(SamsaKafkaSettings settings)
    {
        settings.StartupTimeout = TimeSpan.FromSeconds(15);
        settings.BrokerConnectTimeout = TimeSpan.FromSeconds(3);
        settings.HealthCheckTimeout = TimeSpan.FromSeconds(3);
    }

    private static long HighWatermark(EmbeddedBroker broker, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig()).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).High.Value;
    }

    /// <summary>A port nothing listens on: bound, read, and released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker;
using Samsa.Testing;
using Xunit;

namespace Samsa.TestUtils;

/// <summary>
/// The Kafka a test talks to: by default an embedded Samsa.Broker started for the test; when
/// <c>SAMSA_TEST_BOOTSTRAP_SERVERS</c> is set, that cluster instead (librdkafka's mock cluster, a
/// real Apache Kafka), so the same conformance tests can run against it. Seed topics are created
/// through the AdminClient there; tests that need to control the broker (stop a node, read its
/// storage, inject faults) are skipped against an external cluster. The embedded broker is started
/// through Samsa.Testing's <see cref="KafkaTestCluster"/> (with the broker's own defaults, not the
/// test cluster's), so <see cref="Cluster"/> gives its fault injection and, when asked for, its request log.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    public const string ExternalBootstrapVariable = "SAMSA_TEST_BOOTSTRAP_SERVERS";

    private readonly KafkaTestCluster? _cluster;
    private readonly string? _external;

    private EmbeddedBroker(KafkaTestCluster? cluster, string? external)
    {
        _cluster = cluster;
        _external = external;
    }

    /// <summary>The embedded broker; skips the test when running against an external cluster.</summary>
    public SamsaBroker Broker => _cluster?.Broker ?? SkipExternal<SamsaBroker>();

    /// <summary>
    /// The embedded broker as a Samsa.Testing cluster (faults, request log); skips the test when running
    /// against an external cluster. Its request log is empty unless the test turned
    /// <see cref="KafkaTestClusterOptions.LogRequests"/> on when starting.
    /// </summary>
    public KafkaTestCluster Cluster => _cluster ?? SkipExternal<KafkaTestCluster>();

    public bool IsExternal => _external is not null;

    public string BootstrapServers => _external ?? _cluster!.BootstrapServers;

    /// <summary>
    /// Starts the embedded broker configured by <paramref name="configure"/> (the broker's defaults, except no
    /// initial rebalance delay), or points at the external cluster. <paramref name="cluster"/> sets what
    /// Samsa.Testing adds (the request log is off unless it turns it on); it is ignored for an external cluster.
    /// </summary>
    public static async Task<EmbeddedBroker> StartAsync(Action<BrokerOptions>? configure = null, Action<KafkaTestClusterOptions>? cluster = null)
    {
        NativeKafka.EnsureLoaded();
        var external = Environment.GetEnvironmentVariable(ExternalBootstrapVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            var started = await KafkaTestCluster.StartAsync(o =>
            {
                // Logging decodes every request again: only tests that read the log pay for it.
                o.LogRequests = false;
                o.RequestLogCapacity = 20_000;
                cluster?.Invoke(o);
                o.ConfigureBroker = broker =>
                {
                    // The test cluster's own choices (auto-created topics, short shutdown) give way to the broker's defaults.
                    // Tests form groups many times: skip Kafka's 3 s wait for more members (tests that need it set it back).
                    var defaults = new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero };
                    broker.NodeCount = defaults.NodeCount;
                    broker.Host = defaults.Host;
                    broker.AutoCreateTopics = defaults.AutoCreateTopics;
                    broker.DefaultPartitions = defaults.DefaultPartitions;
                    broker.GroupInitialRebalanceDelay = defaults.GroupInitialRebalanceDelay;
                    broker.TimeProvider = defaults.TimeProvider;
                    broker.ShutdownTimeout = defaults.ShutdownTimeout;
                    broker.SeedTopics.Clear();
                    configure?.Invoke(broker);
                };
            }).ConfigureAwait(false);
            return new EmbeddedBroker(started, null);
        }

        var options = new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero };
        configure?.Invoke(options);

        if (options.DataDirectory is not null)
        {
            SkipExternal<int>();
        }

        await RecreateSeedTopicsAsync(external, options).ConfigureAwait(false);
        return new EmbeddedBroker(null, external);
    }

    private static async Task RecreateSeedTopicsAsync(string bootstrap, BrokerOptions options)
    {
        if (options.SeedTopics.Count == 0)
        {
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var existing = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        var stale = options.SeedTopics.Keys.Where(existing.Contains).ToList();
        if (stale.Count > 0)
        {
            await admin.DeleteTopicsAsync(stale).ConfigureAwait(false);
        }

        try
        {
            await admin.CreateTopicsAsync(options.SeedTopics.Select(t => new TopicSpecification
            {
                Name = t.Key,
                NumPartitions = t.Value,
                ReplicationFactor = options.DefaultReplicationFactor,
            })).ConfigureAwait(false);
        }
        catch (KafkaException) when (stale.Count == 0)
        {
            // librdkafka's mock cluster has no controller for CreateTopics; it creates topics when asked for their metadata.
            foreach (var topic in options.SeedTopics.Keys)
            {
                admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            }
        }
    }

    private static T SkipExternal<T>()
    {
        Assert.Skip($"Needs the embedded Samsa.Broker; {ExternalBootstrapVariable} points the tests at an external cluster.");
        return default!;
    }

    public ProducerConfig ProducerConfig(Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = false,
            LingerMs = 5,
            MessageTimeoutMs = 30_000,
            SocketTimeoutMs = 10_000,
        };
        configure?.Invoke(config);
        return config;
    }

    public ConsumerConfig ConsumerConfig(string groupId = "samsa-tests", Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 50,
            SocketTimeoutMs = 10_000,
        };
        configure?.Invoke(config);
        return config;
    }

    public ValueTask DisposeAsync() => _cluster?.DisposeAsync() ?? ValueTask.CompletedTask;
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker;
using Xunit;

namespace Samsa.TestUtils;

/// <summary>
/// The Kafka a test talks to: by default an embedded Samsa.Broker started for the test; when
/// <c>SAMSA_TEST_BOOTSTRAP_SERVERS</c> is set, that cluster instead (librdkafka's mock cluster, a
/// real Apache Kafka), so the same conformance tests can run against it. Seed topics are created
/// through the AdminClient there; tests that need to control the broker (stop a node, read its
/// storage) are skipped against an external cluster.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    public const string ExternalBootstrapVariable = "SAMSA_TEST_BOOTSTRAP_SERVERS";

    private readonly SamsaBroker? _broker;
    private readonly string? _external;

    private EmbeddedBroker(SamsaBroker? broker, string? external)
    {
        _broker = broker;
        _external = external;
    }

    /// <summary>The embedded broker; skips the test when running against an external cluster.</summary>
    public SamsaBroker Broker => _broker ?? SkipExternal<SamsaBroker>();

    public bool IsExternal => _external is not null;

    public string BootstrapServers => _external ?? _broker!.BootstrapServers;

    public static async Task<EmbeddedBroker> StartAsync(Action<BrokerOptions>? configure = null)
    {
        NativeKafka.EnsureLoaded();
        // Tests form groups many times: skip Kafka's 3 s wait for more members (tests that need it set it back).
        var options = new BrokerOptions { GroupInitialRebalanceDelay = TimeSpan.Zero };
        configure?.Invoke(options);
        var external = Environment.GetEnvironmentVariable(ExternalBootstrapVariable);
        if (string.IsNullOrWhiteSpace(external))
        {
            return new EmbeddedBroker(await SamsaBroker.StartAsync(options).ConfigureAwait(false), null);
        }

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

    public ValueTask DisposeAsync() => _broker?.DisposeAsync() ?? ValueTask.CompletedTask;
}

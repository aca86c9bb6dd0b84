using Confluent.Kafka;
using Samsa.Broker;

namespace Samsa.TestUtils;

/// <summary>Starts a Samsa.Broker for a test and builds Confluent.Kafka clients pointed at it.</summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private EmbeddedBroker(SamsaBroker broker)
    {
        Broker = broker;
    }

    public SamsaBroker Broker { get; }

    public string BootstrapServers => Broker.BootstrapServers;

    public static async Task<EmbeddedBroker> StartAsync(Action<BrokerOptions>? configure = null)
    {
        NativeKafka.EnsureLoaded();
        var options = new BrokerOptions();
        configure?.Invoke(options);
        return new EmbeddedBroker(await SamsaBroker.StartAsync(options).ConfigureAwait(false));
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

    public ValueTask DisposeAsync() => Broker.DisposeAsync();
}

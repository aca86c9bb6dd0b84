using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Testing.Tests;

/// <summary>Starts a fresh cluster per test (and makes Confluent.Kafka load its bundled librdkafka first).</summary>
public abstract class ClusterTestBase : IAsyncLifetime
{
    protected ClusterTestBase() => NativeKafka.EnsureLoaded();

    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    protected KafkaTestCluster Kafka { get; private set; } = null!;

    protected virtual void Configure(KafkaTestClusterOptions options)
    {
    }

    public async ValueTask InitializeAsync() => Kafka = await KafkaTestCluster.StartAsync(Configure, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Kafka.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected IProducer<string, string> Producer(Action<ProducerConfig>? configure = null, Action<IClient, Error>? onError = null)
    {
        var builder = new ProducerBuilder<string, string>(Kafka.ProducerConfig(configure));
        if (onError is not null)
        {
            builder.SetErrorHandler((client, error) => onError(client, error));
        }

        return builder.Build();
    }

    protected static Task<DeliveryResult<string, string>> ProduceAsync(IProducer<string, string> producer, string topic, string value, int? partition = null) =>
        partition is { } p
            ? producer.ProduceAsync(new TopicPartition(topic, p), new Message<string, string> { Key = value, Value = value }, TestContext.Current.CancellationToken)
            : producer.ProduceAsync(topic, new Message<string, string> { Key = value, Value = value }, TestContext.Current.CancellationToken);
}

using System.Text;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Diagnostics;
using Samsa.Publishing;
using Samsa.TestUtils;

namespace Samsa.Tests.Publishing;

[KafkaTopic("orders")]
public sealed record OrderPlaced(string OrderId, decimal Total, string CustomerName);

[KafkaTopic("shipments", EventType = "shipment-dispatched")]
public sealed record ShipmentDispatched(string ShipmentId, int Parcels);

public sealed record Unrouted(int Value);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(OrderPlaced))]
internal sealed partial class PublishingJsonContext : JsonSerializerContext;

internal static class PublishingTestSupport
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static EventPublisher CreatePublisher(
        EmbeddedBroker broker,
        Action<PublisherOptions>? configure = null,
        Action<ProducerConfig>? producer = null,
        ProducerErrorTracker? tracker = null,
        SamsaMetrics? metrics = null) =>
        CreatePublisher(broker.BootstrapServers, configure, producer, tracker, metrics);

    public static EventPublisher CreatePublisher(
        string bootstrapServers,
        Action<PublisherOptions>? configure = null,
        Action<ProducerConfig>? producer = null,
        ProducerErrorTracker? tracker = null,
        SamsaMetrics? metrics = null)
    {
        NativeKafka.EnsureLoaded();
        var options = new PublisherOptions();
        configure?.Invoke(options);
        return new EventPublisher(
            () =>
            {
                var config = new ProducerConfig
                {
                    BootstrapServers = bootstrapServers,
                    Acks = Acks.All,
                    EnableIdempotence = false,
                    LingerMs = 2,
                    MessageTimeoutMs = 15_000,
                    SocketTimeoutMs = 10_000,
                };
                producer?.Invoke(config);
                return config;
            },
            options,
            tracker ?? new ProducerErrorTracker(TimeProvider.System, TimeSpan.FromMinutes(5)),
            metrics,
            NullLogger.Instance,
            TimeProvider.System);
    }

    /// <summary>A plain Confluent consumer assigned every partition of <paramref name="topic"/> from the start (no group join to wait for).</summary>
    public static IConsumer<string?, string> CreateConsumer(EmbeddedBroker broker, string topic, int partitions = 3)
    {
        var consumer = new ConsumerBuilder<string?, string>(broker.ConsumerConfig($"publishing-{Guid.NewGuid():N}")).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer;
    }

    public static string Header(ConsumeResult<string?, string> result, string key) =>
        result.Message.Headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"Header {key} is missing.");

    public static Task<EmbeddedBroker> StartBrokerAsync(params string[] topics) =>
        EmbeddedBroker.StartAsync(options =>
        {
            foreach (var topic in topics)
            {
                options.SeedTopics[topic] = 3;
            }
        });
}

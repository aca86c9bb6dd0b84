using Confluent.Kafka;

namespace Samsa.Testing.Sample.Tests.Orders;

/// <summary>The service's write side: publishes an order to <c>orders</c>, keyed by its id.</summary>
public sealed class OrderPublisher(ProducerConfig config, string topic) : IDisposable
{
    private readonly IProducer<string, string> _producer = new ProducerBuilder<string, string>(config).Build();

    public async Task<long> PublishAsync(string orderId, string body, CancellationToken cancellationToken)
    {
        var result = await _producer.ProduceAsync(topic, new Message<string, string> { Key = orderId, Value = body }, cancellationToken);
        return result.Offset.Value;
    }

    public void Dispose() => _producer.Dispose();
}

using Samsa.Publishing;

namespace GettingStarted;

/// <summary>Publishes a few orders when the service starts; the last one is invalid and ends up dead-lettered.</summary>
public sealed partial class OrderGenerator(IEventPublisher publisher, ILogger<OrderGenerator> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        OrderPlaced[] orders = [new("o-1", 12.50m), new("o-2", 7.25m), new("o-3", 0m)];
        foreach (var order in orders)
        {
            // Completes once Kafka has the event (acks=all); the key keeps one order's events in one partition.
            var result = await publisher.PublishAsync(order, new PublishOptions { Key = order.OrderId }, stoppingToken);
            LogPublished(logger, order.OrderId, result.Topic, result.Partition, result.Offset);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} published to {Topic}/{Partition}@{Offset}")]
    private static partial void LogPublished(ILogger logger, string orderId, string topic, int partition, long offset);
}

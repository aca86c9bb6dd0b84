using Samsa.Consuming;
using Samsa.Consuming.Retry;

namespace GettingStarted;

/// <summary>Handles each order once (at least once, in order per partition).</summary>
public sealed partial class OrderPlacedHandler(ILogger<OrderPlacedHandler> logger) : IEventHandler<OrderPlaced>
{
    /// <inheritdoc/>
    public ValueTask HandleAsync(OrderPlaced order, ConsumeContext context, CancellationToken cancellationToken)
    {
        if (order.Total <= 0)
        {
            // Retrying cannot fix this record: it goes straight to the dead-letter topic (orders.dlq).
            throw new PermanentFailureException($"Order {order.OrderId} has a total of {order.Total}.");
        }

        LogHandled(logger, order.OrderId, order.Total, context.Partition, context.Offset);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} handled: total {Total} (partition {Partition}, offset {Offset})")]
    private static partial void LogHandled(ILogger logger, string orderId, decimal total, int partition, long offset);
}

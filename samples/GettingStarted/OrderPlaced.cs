using Samsa.Publishing;

namespace GettingStarted;

/// <summary>The event: an order was placed. The publisher sends it to the topic named by the attribute, as JSON.</summary>
[KafkaTopic(Topic)]
public sealed record OrderPlaced(string OrderId, decimal Total)
{
    /// <summary>The topic orders are published to and consumed from.</summary>
    public const string Topic = "orders";
}

namespace Samsa.Broker.Transactions;

/// <summary>The broker settings the transaction coordinator works with (see <see cref="BrokerOptions"/> for the Kafka names).</summary>
internal sealed record TransactionSettings(int StateTopicPartitions, short StateTopicReplicationFactor, TimeSpan MaxTimeout, TimeSpan AbortTimedOutInterval)
{
    public static TransactionSettings From(BrokerOptions options) => new(
        options.TransactionStateTopicPartitions,
        options.TransactionStateTopicReplicationFactor,
        options.TransactionMaxTimeout,
        options.TransactionAbortTimedOutInterval);
}

namespace Samsa.Broker.Transactions;

/// <summary>Defaults and limits of the transaction settings of <see cref="BrokerOptions"/>, matching Apache Kafka's broker defaults.</summary>
public static class TransactionDefaults
{
    /// <summary>Kafka's <c>transaction.state.log.num.partitions</c> default.</summary>
    public const int StateTopicPartitions = 50;

    /// <summary>Kafka's <c>transaction.state.log.replication.factor</c> default (capped at the live nodes here).</summary>
    public const short StateTopicReplicationFactor = 3;

    /// <summary>Kafka's <c>transaction.max.timeout.ms</c> default, 15 minutes.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Kafka's <c>transaction.abort.timed.out.transaction.cleanup.interval.ms</c> default.</summary>
    public static readonly TimeSpan AbortTimedOutInterval = TimeSpan.FromSeconds(10);
}

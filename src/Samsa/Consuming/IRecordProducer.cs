using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>Writes the records a consumer forwards (retries and dead letters) and waits for Kafka's acknowledgement.</summary>
internal interface IRecordProducer : IDisposable
{
    /// <summary>Produces <paramref name="message"/> to <paramref name="topic"/>; completes when it is acknowledged.</summary>
    /// <exception cref="ProduceException{TKey, TValue}">Kafka did not take it.</exception>
    Task ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken);

    /// <summary>Produces <paramref name="message"/> to <paramref name="target"/> (a topic, and a partition or <see cref="Partition.Any"/>); completes when it is acknowledged.</summary>
    /// <exception cref="ProduceException{TKey, TValue}">Kafka did not take it.</exception>
    Task ProduceAsync(TopicPartition target, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken);
}

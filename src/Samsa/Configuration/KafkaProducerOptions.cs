using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>Producer settings (<c>Kafka:Producer</c>, <c>KAFKA_PRODUCER_*</c>).</summary>
public sealed class KafkaProducerOptions
{
    /// <summary><c>acks</c>: all (-1), leader (1) or none (0).</summary>
    public Acks? Acks { get; set; }

    /// <summary><c>enable.idempotence</c>. Needs acks=all.</summary>
    public bool? EnableIdempotence { get; set; }

    /// <summary><c>compression.type</c>: none, gzip, snappy, lz4 or zstd.</summary>
    public CompressionType? CompressionType { get; set; }

    /// <summary><c>linger.ms</c>.</summary>
    [KafkaRange(0, KafkaDefaults.Limits.MaxLingerMs)]
    public int? LingerMs { get; set; }

    /// <summary><c>batch.size</c>, in bytes (aiokafka calls it <c>max_batch_size</c>, kafka-python <c>batch_size</c>).</summary>
    [KafkaRange(KafkaDefaults.Limits.MinBatchSize, int.MaxValue)]
    public int? BatchSize { get; set; }

    /// <summary><c>delivery.timeout.ms</c> (librdkafka's <c>message.timeout.ms</c>); 0 waits for ever.</summary>
    [KafkaRange(0, int.MaxValue)]
    public int? DeliveryTimeoutMs { get; set; }

    /// <summary><c>request.timeout.ms</c>.</summary>
    [KafkaRange(KafkaDefaults.Limits.MinRequestTimeoutMs, KafkaDefaults.Limits.MaxRequestTimeoutMs)]
    public int? RequestTimeoutMs { get; set; }

    /// <summary><c>message.max.bytes</c>.</summary>
    [KafkaRange(KafkaDefaults.Limits.MinMessageMaxBytes, KafkaDefaults.Limits.MaxMessageMaxBytes)]
    public int? MessageMaxBytes { get; set; }

    /// <summary><c>transactional.id</c>: enables transactions (and needs idempotence and acks=all).</summary>
    public string? TransactionalId { get; set; }

    /// <summary>Raw librdkafka properties for producers only; they override <see cref="KafkaOptions.Properties"/>.</summary>
    public IDictionary<string, string> Properties { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>
/// Every default and limit of the Kafka settings, as named constants. The options' DataAnnotations and
/// the profile defaults both read them from here.
/// </summary>
public static class KafkaDefaults
{
    /// <summary>The configuration section Samsa binds: <c>Kafka</c>.</summary>
    public const string SectionName = "Kafka";

    /// <summary>The prefix of every environment variable Samsa reads.</summary>
    public const string EnvironmentVariablePrefix = "KAFKA_";

    /// <summary>A certificate that expires within this many days is reported as a warning.</summary>
    public const int CertificateExpiryWarningDays = 30;

    /// <summary>
    /// Defaults of <see cref="KafkaProfile.Production"/>: the production settings of the incident's fix
    /// (SASL_SSL, SCRAM-SHA-512, 32 KB batches, snappy, exactly-once producer semantics).
    /// </summary>
    public static class Production
    {
        /// <summary>TLS and SASL: <c>SASL_SSL</c>.</summary>
        public const SecurityProtocol SecurityProtocol = Confluent.Kafka.SecurityProtocol.SaslSsl;

        /// <summary><c>SCRAM-SHA-512</c>; needs <see cref="KafkaOptions.SaslUsername"/> and <see cref="KafkaOptions.SaslPassword"/>.</summary>
        public const SaslMechanism SaslMechanism = Confluent.Kafka.SaslMechanism.ScramSha512;

        /// <summary><c>acks=all</c>: a write counts once every in-sync replica has it.</summary>
        public const Acks Acks = Confluent.Kafka.Acks.All;

        /// <summary><c>enable.idempotence=true</c>: no duplicates or reordering on retry. Applied only while acks is all.</summary>
        public const bool EnableIdempotence = true;

        /// <summary><c>compression.type=snappy</c>: cheap on CPU, good on JSON.</summary>
        public const CompressionType CompressionType = Confluent.Kafka.CompressionType.Snappy;

        /// <summary><c>batch.size</c> of 32 KiB.</summary>
        public const int BatchSize = 32 * 1024;

        /// <summary><c>linger.ms</c>: wait 5 ms to fill a batch.</summary>
        public const int LingerMs = 5;

        /// <summary><c>delivery.timeout.ms</c>: give up on a message after 2 minutes (librdkafka's own default is 5).</summary>
        public const int DeliveryTimeoutMs = 120_000;

        /// <summary><c>auto.offset.reset=earliest</c>: a new group reads from the start rather than skipping what is there.</summary>
        public const AutoOffsetReset AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest;
    }

    /// <summary>
    /// Defaults of <see cref="KafkaProfile.Development"/>: a local broker without TLS or users, and fast failure.
    /// Batching matches production so that timing does not change between the two.
    /// </summary>
    public static class Development
    {
        /// <summary><c>PLAINTEXT</c>: local brokers and the embedded broker listen without TLS.</summary>
        public const SecurityProtocol SecurityProtocol = Confluent.Kafka.SecurityProtocol.Plaintext;

        /// <summary><c>acks=all</c>, as in production.</summary>
        public const Acks Acks = Confluent.Kafka.Acks.All;

        /// <summary><c>enable.idempotence=false</c>: works against any development broker.</summary>
        public const bool EnableIdempotence = false;

        /// <summary><c>compression.type=none</c>: payloads stay readable in a packet capture.</summary>
        public const CompressionType CompressionType = Confluent.Kafka.CompressionType.None;

        /// <summary><c>batch.size</c> of 32 KiB, as in production.</summary>
        public const int BatchSize = 32 * 1024;

        /// <summary><c>linger.ms</c> of 5 ms, as in production.</summary>
        public const int LingerMs = 5;

        /// <summary><c>delivery.timeout.ms</c>: 30 s, so a missing local broker shows up quickly.</summary>
        public const int DeliveryTimeoutMs = 30_000;

        /// <summary><c>auto.offset.reset=earliest</c>, as in production.</summary>
        public const AutoOffsetReset AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest;
    }

    /// <summary>
    /// Allowed ranges, the same as librdkafka's own (a test compares them with the loaded library's table).
    /// </summary>
    public static class Limits
    {
        /// <summary>Largest <c>statistics.interval.ms</c> (librdkafka's limit: one day).</summary>
        public const int MaxStatisticsIntervalMs = 86_400_000;

        /// <summary>Smallest <c>batch.size</c>.</summary>
        public const int MinBatchSize = 1;

        /// <summary>Largest <c>linger.ms</c>.</summary>
        public const int MaxLingerMs = 900_000;

        /// <summary>Smallest <c>request.timeout.ms</c>.</summary>
        public const int MinRequestTimeoutMs = 1;

        /// <summary>Largest <c>request.timeout.ms</c>.</summary>
        public const int MaxRequestTimeoutMs = 900_000;

        /// <summary>Smallest <c>message.max.bytes</c>.</summary>
        public const int MinMessageMaxBytes = 1_000;

        /// <summary>Largest <c>message.max.bytes</c>.</summary>
        public const int MaxMessageMaxBytes = 1_000_000_000;

        /// <summary>Smallest <c>session.timeout.ms</c> and <c>heartbeat.interval.ms</c>.</summary>
        public const int MinGroupTimeoutMs = 1;

        /// <summary>Largest <c>session.timeout.ms</c> and <c>heartbeat.interval.ms</c>.</summary>
        public const int MaxGroupTimeoutMs = 3_600_000;

        /// <summary>Smallest <c>max.poll.interval.ms</c>.</summary>
        public const int MinMaxPollIntervalMs = 1;

        /// <summary>Largest <c>max.poll.interval.ms</c>.</summary>
        public const int MaxMaxPollIntervalMs = 86_400_000;

        /// <summary>Largest <c>fetch.max.bytes</c>.</summary>
        public const int MaxFetchMaxBytes = 2_147_483_135;

        /// <summary>Largest <c>fetch.wait.max.ms</c> and <c>fetch.queue.backoff.ms</c>.</summary>
        public const int MaxFetchWaitMs = 300_000;

        /// <summary>Smallest <c>max.partition.fetch.bytes</c>.</summary>
        public const int MinMaxPartitionFetchBytes = 1;

        /// <summary>Largest <c>max.partition.fetch.bytes</c>.</summary>
        public const int MaxMaxPartitionFetchBytes = 1_000_000_000;

        /// <summary>Largest certificate warning window, in days.</summary>
        public const int MaxCertificateExpiryWarningDays = 3_650;
    }
}

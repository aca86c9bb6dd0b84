using Confluent.Kafka;
using Samsa.Configuration;

namespace Samsa.Consuming;

/// <summary>
/// The client configurations of a consumer registration, from <c>KafkaOptions</c> (via
/// <see cref="KafkaClientConfigFactory"/>) and the registration's <see cref="ConsumerOptions"/>.
/// </summary>
internal static class ConsumerClientConfigs
{
    /// <summary>The librdkafka name of <c>fetch.queue.backoff.ms</c>.</summary>
    public const string FetchQueueBackoffMs = "fetch.queue.backoff.ms";

    /// <summary>
    /// The consumer: the registration's group; auto commit and the automatic offset store off (the worker commits what
    /// it handled); the registration's assignment strategy (none with <c>group.protocol=consumer</c>, where the broker assigns); <c>auto.offset.reset</c> earliest unless configured;
    /// <c>fetch.queue.backoff.ms</c> of <see cref="ConsumerDefaults.FetchQueueBackoffMs"/> unless configured;
    /// read_committed in exactly-once mode; <c>group.instance.id</c> with <see cref="ConsumerOptions.StaticMembership"/>;
    /// then <see cref="ConsumerOptions.ConfigureConsumer"/>.
    /// </summary>
    public static ConsumerConfig Consumer(KafkaOptions kafka, ConsumerOptions options)
    {
        var config = KafkaClientConfigFactory.CreateConsumerConfig(kafka);
        config.GroupId = options.GroupId;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        if (config.GroupProtocol != GroupProtocol.Consumer)
        {
            // With the consumer protocol (KIP-848) the broker assigns; librdkafka refuses a client-side strategy.
            config.PartitionAssignmentStrategy = options.AssignmentStrategy;
        }
        config.AutoOffsetReset ??= AutoOffsetReset.Earliest;
        if (config.Get(FetchQueueBackoffMs) is null)
        {
            config.FetchQueueBackoffMs = ConsumerDefaults.FetchQueueBackoffMs;
        }

        if (options.ExactlyOnce)
        {
            config.IsolationLevel = IsolationLevel.ReadCommitted;
        }

        if (options.StaticMembership)
        {
            config.GroupInstanceId = InstanceIdentity.GroupInstanceId(options);
        }

        options.ConfigureConsumer?.Invoke(config);
        return config;
    }

    /// <summary>The producer of retries and dead letters: acks=all unless configured, then <see cref="ConsumerOptions.ConfigureProducer"/>.</summary>
    public static ProducerConfig Producer(KafkaOptions kafka, ConsumerOptions options)
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(kafka);
        config.Acks ??= Acks.All;
        options.ConfigureProducer?.Invoke(config);
        return config;
    }

    /// <summary>
    /// The exactly-once producer: the producer configuration with idempotence on, acks=all and the registration's
    /// <c>transactional.id</c> (<see cref="ConsumerOptions.TransactionalId"/>, or one derived from the group, the topic and
    /// <see cref="ConsumerOptions.InstanceId"/>), then
    /// <see cref="ConsumerOptions.ConfigureProducer"/>.
    /// </summary>
    public static ProducerConfig TransactionalProducer(KafkaOptions kafka, ConsumerOptions options)
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(kafka);
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.TransactionalId = options.TransactionalId ?? InstanceIdentity.TransactionalId(options);
        options.ConfigureProducer?.Invoke(config);
        return config;
    }
}

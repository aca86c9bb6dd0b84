using Microsoft.Extensions.DependencyInjection.Extensions;
using Samsa.Consuming;
using Samsa.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds hosted batch consumers (<see cref="IEventBatchHandler{TEvent}"/> workers) to a Samsa Kafka registration.</summary>
public static class SamsaBatchConsumerBuilderExtensions
{
    /// <summary>
    /// Registers a hosted consumer of <paramref name="topic"/> in <paramref name="groupId"/> that calls
    /// <typeparamref name="THandler"/> with batches of one partition's records (at most
    /// <see cref="ConsumerOptions.MaxBatchSize"/>, handed over when full or <see cref="ConsumerOptions.MaxBatchWait"/>
    /// after the first). Everything else (retries, retry topics, dead letters, exactly-once, configuration from
    /// <c>Kafka:Consumers:&lt;topic&gt;</c>, health, metrics) is as for <c>AddConsumer</c>; see
    /// <see cref="IEventBatchHandler{TEvent}"/> for what is retried and committed.
    /// </summary>
    /// <typeparam name="THandler">The batch handler (registered scoped unless already registered).</typeparam>
    /// <typeparam name="TEvent">The event type the records' values are deserialized into.</typeparam>
    /// <param name="builder">The builder <c>AddSamsaKafka</c> returned.</param>
    /// <param name="topic">The source topic.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="configure">Consumer settings, applied after the configuration section.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A consumer of <paramref name="topic"/> in <paramref name="groupId"/> is already registered.</exception>
    public static SamsaKafkaBuilder AddBatchConsumer<THandler, TEvent>(this SamsaKafkaBuilder builder, string topic, string groupId, Action<ConsumerOptions>? configure = null)
        where THandler : class, IEventBatchHandler<TEvent>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        return SamsaConsumerBuilderExtensions.AddConsumerCore(
            builder,
            topic,
            groupId,
            options =>
            {
                options.IsBatchConsumer = true;
                configure?.Invoke(options);
            },
            services => services.TryAddScoped<THandler>(),
            (provider, deserializer) => new BatchEventDispatcher<THandler, TEvent>(provider, deserializer));
    }
}

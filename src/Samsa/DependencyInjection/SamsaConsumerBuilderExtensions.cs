using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds hosted consumers (<see cref="IEventHandler{TEvent}"/> workers) to a Samsa Kafka registration.</summary>
public static class SamsaConsumerBuilderExtensions
{
    /// <summary>
    /// Registers a hosted consumer of <paramref name="topic"/> in <paramref name="groupId"/> that calls
    /// <typeparamref name="THandler"/> for each record: at least once, in order per partition, partitions concurrently,
    /// with retries, retry topics, a dead-letter topic, backpressure, and bounded shutdown (see <see cref="ConsumerWorker"/>).
    /// Also registers the handler (scoped, unless already registered), <see cref="DeadLetterReplayer"/>, the
    /// <c>samsa.consume.*</c> instruments, the consumer's health check (<see cref="ConsumerDefaults.HealthCheckName"/>,
    /// tagged ready), and declares the retry, dead-letter and replay-ledger topics for provisioning.
    /// </summary>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <typeparam name="TEvent">The event type the records' values are deserialized into.</typeparam>
    /// <param name="builder">The builder <c>AddSamsaKafka</c> returned.</param>
    /// <param name="topic">The source topic.</param>
    /// <param name="groupId">The consumer group; instances of the service with the same group share the partitions.</param>
    /// <param name="configure">Consumer settings: retries, retry topics, dead-letter topic, classification, probe, limits, exactly-once.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A consumer of <paramref name="topic"/> in <paramref name="groupId"/> is already registered.</exception>
    public static SamsaKafkaBuilder AddConsumer<THandler, TEvent>(this SamsaKafkaBuilder builder, string topic, string groupId, Action<ConsumerOptions>? configure = null)
        where THandler : class, IEventHandler<TEvent>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        return AddConsumerCore<THandler, TEvent>(builder, topic, groupId, configure);
    }

    /// <summary>
    /// Registers a hosted consumer for <typeparamref name="THandler"/>, whose event type is taken from the one
    /// <see cref="IEventHandler{TEvent}"/> it implements; otherwise the same as <see cref="AddConsumer{THandler, TEvent}"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="THandler"/> implements no <see cref="IEventHandler{TEvent}"/>, or more than one.</exception>
    public static SamsaKafkaBuilder AddConsumer<THandler>(this SamsaKafkaBuilder builder, string topic, string groupId, Action<ConsumerOptions>? configure = null)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var handlers = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventHandler<>))
            .ToList();
        if (handlers.Count != 1)
        {
            throw new ArgumentException(
                $"{typeof(THandler).Name} implements {handlers.Count} IEventHandler<TEvent> interfaces; use AddConsumer<THandler, TEvent> to say which event it consumes.",
                nameof(THandler));
        }

        var core = typeof(SamsaConsumerBuilderExtensions).GetMethod(nameof(AddConsumerCore), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(THandler), handlers[0].GetGenericArguments()[0]);
        return (SamsaKafkaBuilder)core.Invoke(null, [builder, topic, groupId, configure])!;
    }

    /// <summary>The registration name of the consumer of <paramref name="topic"/> in <paramref name="groupId"/>: the key of its worker and the name of its options.</summary>
    public static string RegistrationName(string groupId, string topic) => $"{groupId}:{topic}";

    /// <summary>The one registration both overloads funnel into.</summary>
    private static SamsaKafkaBuilder AddConsumerCore<THandler, TEvent>(SamsaKafkaBuilder builder, string topic, string groupId, Action<ConsumerOptions>? configure)
        where THandler : class, IEventHandler<TEvent>
    {
        var services = builder.Services;
        var name = RegistrationName(groupId, topic);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(ConsumerWorker) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"A consumer of '{topic}' in group '{groupId}' is already registered; register each topic and group once.");
        }

        // Bound now, as AddPublisher does, because they decide what is registered; validated when the host starts.
        var settings = new ConsumerOptions { Topic = topic, GroupId = groupId };
        configure?.Invoke(settings);

        services.AddOptions<ConsumerOptions>(name)
            .Configure(options =>
            {
                options.Topic = topic;
                options.GroupId = groupId;
                configure?.Invoke(options);
                options.Topic = topic;
                options.GroupId = groupId;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsumerOptions>, ConsumerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ConsumerMetrics(provider.GetService<IMeterFactory>()));
        services.TryAddScoped<THandler>();
        services.TryAddSingleton<DeadLetterReplayer>();

        services.AddKeyedSingleton(name, (provider, _) =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(name);
            var kafka = provider.GetRequiredService<IOptions<KafkaOptions>>();
            var deserializer = options.Deserializer ?? new SystemTextJsonEventDeserializer();
            return new ConsumerWorker(
                options,
                () => ConsumerClientConfigs.Consumer(kafka.Value, options),
                () => ConsumerClientConfigs.Producer(kafka.Value, options),
                () => new EventDispatcher<THandler, TEvent>(provider, deserializer),
                provider,
                provider.GetRequiredService<TimeProvider>(),
                options.DisableMetrics ? null : provider.GetRequiredService<ConsumerMetrics>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsumerWorker).FullName!),
                transactionalProducerConfig: () => ConsumerClientConfigs.TransactionalProducer(kafka.Value, options));
        });

        // Added, not TryAdded: every registration is its own hosted service.
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredKeyedService<ConsumerWorker>(name));

        if (!settings.DisableTopicProvisioning)
        {
            services.PostConfigure<KafkaOptions>(kafka => ConsumerTopicDeclarations.Declare(kafka, settings));
        }

        if (!builder.Settings.DisableHealthChecks && !settings.DisableHealthChecks)
        {
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                ConsumerDefaults.HealthCheckName(groupId, topic),
                provider => new ConsumerHealthCheck(provider.GetRequiredKeyedService<ConsumerWorker>(name)),
                failureStatus: null,
                tags: [SamsaNames.ReadyTag]));
        }

        return builder;
    }
}

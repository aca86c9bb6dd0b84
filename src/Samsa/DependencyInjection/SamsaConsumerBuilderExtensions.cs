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
using Samsa.Monitoring;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds hosted consumers (<see cref="IEventHandler{TEvent}"/> workers) to a Samsa Kafka registration.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Every AddConsumer overload ends in the same optional configure callback; none has shipped, so adding them together breaks no compiled caller.")]
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
    /// <param name="configure">
    /// Consumer settings: retries, retry topics, dead-letter topic, classification, probe, limits, exactly-once. Applied
    /// after the <c>Kafka:Consumers:&lt;topic&gt;</c> configuration section, which can set every setting that is not a
    /// callback, serializer or the classifier (for example <c>Kafka:Consumers:orders:Retry:RetryTopicDelays:0</c>).
    /// </param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A consumer of <paramref name="topic"/> in <paramref name="groupId"/> is already registered.</exception>
    public static SamsaKafkaBuilder AddConsumer<THandler, TEvent>(this SamsaKafkaBuilder builder, string topic, string groupId, Action<ConsumerOptions>? configure = null)
        where THandler : class, IEventHandler<TEvent>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        return AddHandlerConsumer<THandler, TEvent>(builder, topic, groupId, configure);
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

        var core = typeof(SamsaConsumerBuilderExtensions).GetMethod(nameof(AddHandlerConsumer), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(THandler), handlers[0].GetGenericArguments()[0]);
        return (SamsaKafkaBuilder)core.Invoke(null, [builder, topic, groupId, configure])!;
    }

    /// <summary>
    /// Registers a hosted consumer of <paramref name="topic"/> in <paramref name="groupId"/> whose records carry several
    /// event types: each goes to the handler <paramref name="routes"/> registers for its <c>samsa-event-type</c> header,
    /// deserialized by that handler's deserializer, or to the fallback (see <see cref="EventRoutes"/>). Otherwise the same
    /// as <see cref="AddConsumer{THandler, TEvent}"/>: one worker, one group member, the same retries, dead-letter topic
    /// and delivery mode for every type, records handled in offset order per partition whatever their type.
    /// </summary>
    /// <param name="builder">The builder <c>AddSamsaKafka</c> returned.</param>
    /// <param name="topic">The source topic.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="routes">Adds the handlers: <c>routes.On&lt;OrderPlaced, PlaceHandler&gt;().Fallback&lt;byte[], UnknownHandler&gt;()</c>.</param>
    /// <param name="configure">Consumer settings, as for <see cref="AddConsumer{THandler, TEvent}"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="routes"/> registers no handler.</exception>
    public static SamsaKafkaBuilder AddConsumer(this SamsaKafkaBuilder builder, string topic, string groupId, Action<EventRoutes> routes, Action<ConsumerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        ArgumentNullException.ThrowIfNull(routes);
        var table = new EventRoutes();
        routes(table);
        if (table.Routes.Count == 0)
        {
            throw new ArgumentException($"The consumer of '{topic}' in group '{groupId}' registers no handler: call On<TEvent, THandler>() or Fallback<TEvent, THandler>().", nameof(routes));
        }

        var registered = table.Routes.ToList();
        return AddConsumerCore(
            builder,
            topic,
            groupId,
            configure,
            services => registered.ForEach(route => route.Register(services)),
            (provider, deserializer) => new RoutingEventDispatcher(registered, provider, deserializer));
    }

    /// <summary>
    /// Registers the lag monitor once (bound from <c>Kafka:Monitoring</c>, unknown keys refused when it is first built),
    /// and adds <paramref name="groupId"/> to the groups it watches.
    /// </summary>
    private static void AddLagMonitor(SamsaKafkaBuilder builder, string groupId)
    {
        var services = builder.Services;
        var cluster = builder.ClusterName;
        services.AddSingleton(new MonitoredGroup(groupId, cluster));
        if (cluster is not null)
        {
            AddNamedLagMonitor(builder, cluster);
            return;
        }

        if (services.Any(d => d.ServiceType == typeof(ConsumerLagMonitor) && !d.IsKeyedService))
        {
            return;
        }

        services.AddOptions<LagMonitorOptions>()
            .Bind(builder.Configuration.GetSection(KafkaDefaults.SectionName).GetSection(LagMonitorOptions.SectionKey), binder => binder.ErrorOnUnknownConfiguration = true)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Timeout > TimeSpan.Zero && o.StuckIntervals >= 1, "Kafka:Monitoring: Interval and Timeout must be more than zero, and StuckIntervals at least 1.")
            .ValidateOnStart();
        services.AddSingleton(provider => new ConsumerLagMonitor(
            provider.GetRequiredService<IKafkaAdminClientFactory>(),
            provider.GetRequiredService<IOptions<KafkaOptions>>(),
            provider.GetRequiredService<IOptions<LagMonitorOptions>>(),
            provider.GetServices<MonitoredGroup>().Where(g => g.Cluster is null).Select(g => g.GroupId),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ConsumerLagMonitor>>(),
            provider.GetService<IMeterFactory>()));
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<ConsumerLagMonitor>());
    }

    /// <summary>A named cluster's lag monitor, keyed by its name and bound from its <c>Monitoring</c> section; it watches that cluster's groups.</summary>
    private static void AddNamedLagMonitor(SamsaKafkaBuilder builder, string cluster)
    {
        var services = builder.Services;
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(ConsumerLagMonitor) && Equals(d.ServiceKey, cluster)))
        {
            return;
        }

        services.AddOptions<LagMonitorOptions>(cluster)
            .Bind(builder.Section.GetSection(LagMonitorOptions.SectionKey), binder => binder.ErrorOnUnknownConfiguration = true)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Timeout > TimeSpan.Zero && o.StuckIntervals >= 1, $"Kafka:Clusters:{cluster}:Monitoring: Interval and Timeout must be more than zero, and StuckIntervals at least 1.")
            .ValidateOnStart();
        services.AddKeyedSingleton(cluster, (provider, _) => new ConsumerLagMonitor(
            provider.GetRequiredKeyedService<IKafkaAdminClientFactory>(cluster),
            SamsaKafkaServiceCollectionExtensions.NamedKafkaOptions(provider, cluster),
            new NamedOptions<LagMonitorOptions>(provider.GetRequiredService<IOptionsMonitor<LagMonitorOptions>>(), cluster),
            provider.GetServices<MonitoredGroup>().Where(g => g.Cluster == cluster).Select(g => g.GroupId),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ConsumerLagMonitor>>(),
            provider.GetService<IMeterFactory>()));
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredKeyedService<ConsumerLagMonitor>(cluster));
    }

    /// <summary>Consumer settings that <c>Kafka:Consumers:&lt;topic&gt;</c> may not set, with why.</summary>
    private static readonly Dictionary<string, string> ConsumerCodeOnlySettings = new(StringComparer.Ordinal)
    {
        [nameof(ConsumerOptions.Topic)] = "the topic is the section's name, given to AddConsumer.",
        [nameof(ConsumerOptions.GroupId)] = "the group is given to AddConsumer; two registrations of one topic differ by it.",
        [nameof(ConsumerOptions.Classifier)] = "the failure classifier maps exception types, set in code.",
    };

    /// <summary>A group this service consumes with, for the lag monitor.</summary>
    private sealed record MonitoredGroup(string GroupId, string? Cluster);

    /// <summary>The registration name of the consumer of <paramref name="topic"/> in <paramref name="groupId"/>: the key of its worker and the name of its options.</summary>
    public static string RegistrationName(string groupId, string topic) => $"{groupId}:{topic}";

    /// <summary>The registration of one handler type.</summary>
    private static SamsaKafkaBuilder AddHandlerConsumer<THandler, TEvent>(SamsaKafkaBuilder builder, string topic, string groupId, Action<ConsumerOptions>? configure)
        where THandler : class, IEventHandler<TEvent> =>
        AddConsumerCore(
            builder,
            topic,
            groupId,
            configure,
            services => services.TryAddScoped<THandler>(),
            (provider, deserializer) => new EventDispatcher<THandler, TEvent>(provider, deserializer));

    /// <summary>The one registration every overload (and <c>AddBatchConsumer</c>) funnels into.</summary>
    internal static SamsaKafkaBuilder AddConsumerCore(
        SamsaKafkaBuilder builder,
        string topic,
        string groupId,
        Action<ConsumerOptions>? configure,
        Action<IServiceCollection> registerHandlers,
        Func<IServiceProvider, IEventDeserializer, EventDispatcher> createDispatcher)
    {
        var services = builder.Services;
        // A named cluster's consumer is keyed "group:topic@cluster", so one group and topic may be consumed on two clusters.
        var cluster = builder.ClusterName;
        var name = KafkaClusterNames.HealthCheckName(RegistrationName(groupId, topic), cluster);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(ConsumerWorker) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"{KafkaClusterNames.MessagePrefix(cluster)}A consumer of '{topic}' in group '{groupId}' is already registered; register each topic and group once.");
        }

        // Configuration (Kafka:Consumers:<topic>) first, then code, as for KafkaOptions. Applied now, as AddPublisher
        // does, because the settings decide what is registered and provisioned; again by the options pipeline, so both
        // see the same settings; validated when the host starts.
        var section = builder.Section.GetSection(ConsumerOptions.SectionKey).GetSection(topic);
        var what = cluster is null ? $"consumer of `{topic}`" : $"consumer of `{topic}` on cluster `{cluster}`";
        void Apply(ConsumerOptions options)
        {
            options.Topic = topic;
            options.GroupId = groupId;
            options.ConfigurationErrors.AddRange(OptionsSectionBinder.Bind(options, section, what, ConsumerCodeOnlySettings));
            configure?.Invoke(options);
            options.Topic = topic;
            options.GroupId = groupId;
        }

        var settings = new ConsumerOptions();
        Apply(settings);
        services.AddOptions<ConsumerOptions>(name).Configure(Apply).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsumerOptions>, ConsumerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ClientStatisticsMetrics(provider.GetService<IMeterFactory>(), provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => new ConsumerMetrics(provider.GetService<IMeterFactory>(), provider.GetRequiredService<ClientStatisticsMetrics>()));
        registerHandlers(services);
        services.TryAddSingleton<DeadLetterReplayer>();

        services.AddKeyedSingleton(name, (provider, _) =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(name);
            var kafka = cluster is null ? provider.GetRequiredService<IOptions<KafkaOptions>>() : SamsaKafkaServiceCollectionExtensions.NamedKafkaOptions(provider, cluster);
            var deserializer = options.Deserializer ?? new SystemTextJsonEventDeserializer();
            return new ConsumerWorker(
                options,
                () => ConsumerClientConfigs.Consumer(kafka.Value, options),
                () => ConsumerClientConfigs.Producer(kafka.Value, options),
                () => createDispatcher(provider, deserializer),
                provider,
                provider.GetRequiredService<TimeProvider>(),
                options.DisableMetrics ? null : provider.GetRequiredService<ConsumerMetrics>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsumerWorker).FullName!),
                transactionalProducerConfig: () => ConsumerClientConfigs.TransactionalProducer(kafka.Value, options),
                publisherOptions: provider.GetRequiredService<IOptionsMonitor<Samsa.Publishing.PublisherOptions>>().Get(builder.OptionsName));
        });

        AddLagMonitor(builder, groupId);

        if (cluster is null)
        {
            // ConsumerWorkers finds the default cluster's workers by group and topic; a named cluster's are keyed by `name`.
            services.AddSingleton(new ConsumerWorkers.Registration(groupId, topic));
        }

        services.TryAddSingleton(provider => new ConsumerWorkers(provider, provider.GetServices<ConsumerWorkers.Registration>()));

        // Added, not TryAdded: every registration is its own hosted service.
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredKeyedService<ConsumerWorker>(name));

        if (!settings.DisableTopicProvisioning)
        {
            services.PostConfigure<KafkaOptions>(builder.OptionsName, kafka => ConsumerTopicDeclarations.Declare(kafka, settings));
        }

        services.PostConfigure<KafkaOptions>(builder.OptionsName, kafka => ConsumerAccessRequirements.Declare(kafka, settings));

        if (!builder.Settings.DisableHealthChecks && !settings.DisableHealthChecks)
        {
            TrackedHealthChecks.Add(
                services,
                KafkaClusterNames.HealthCheckName(ConsumerDefaults.HealthCheckName(groupId, topic), cluster),
                provider => new ConsumerHealthCheck(
                    provider.GetRequiredKeyedService<ConsumerWorker>(name),
                    cluster is null ? provider.GetRequiredService<ConsumerLagMonitor>() : provider.GetRequiredKeyedService<ConsumerLagMonitor>(cluster),
                    provider.GetRequiredService<TimeProvider>()),
                SamsaNames.ReadyTag);
        }

        return builder;
    }
}

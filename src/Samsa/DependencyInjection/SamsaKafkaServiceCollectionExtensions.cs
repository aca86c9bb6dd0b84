using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Health;
using Samsa.Provisioning;
using Samsa.Startup;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Samsa's Kafka support: <see cref="KafkaOptions"/> (validated at start), the admin client factory, the
/// fail-fast start-up gate with topic provisioning, and the Kafka health check. Features (topics, the publisher,
/// consumers) are added on the returned <see cref="SamsaKafkaBuilder"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The named overload differs by its leading name; none has shipped, so adding it breaks no compiled caller.")]
public static class SamsaKafkaServiceCollectionExtensions
{
    /// <summary>Registers Samsa's Kafka support, bound from the <c>Kafka</c> section of <paramref name="configuration"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration root; its <c>Kafka</c> section is bound, with <c>Kafka:Hosting</c> into <see cref="SamsaKafkaSettings"/>.</param>
    /// <param name="configure">Code settings, applied after the section and the <c>KAFKA_*</c> variables.</param>
    /// <param name="configureSettings">Changes the hosting settings after <c>Kafka:Hosting</c> is bound; runs once, now.</param>
    /// <returns>The builder the features hang off.</returns>
    /// <exception cref="InvalidOperationException">Samsa's Kafka support is already registered.</exception>
    public static SamsaKafkaBuilder AddSamsaKafka(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<KafkaOptions>? configure = null,
        Action<SamsaKafkaSettings>? configureSettings = null) =>
        AddSamsaKafkaCore(services, configuration, configure, configureSettings);

    /// <summary>
    /// Registers a named Kafka cluster beside the default one, bound from <c>Kafka:Clusters:&lt;name&gt;</c> (the same
    /// settings as the <c>Kafka</c> section, with <c>Hosting</c>, <c>Publisher</c> and <c>Consumers</c> inside it) and
    /// validated the same way, with its own start-up gate and health check (<c>kafka@&lt;name&gt;</c>). It reads no
    /// <c>KAFKA_*</c> variables: set <c>Kafka__Clusters__&lt;name&gt;__BootstrapServers</c> instead. The publisher added on
    /// the returned builder is <c>[FromKeyedServices("name")] IEventPublisher</c>; its consumers read this cluster.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration root; its <c>Kafka:Clusters:&lt;name&gt;</c> section is bound.</param>
    /// <param name="name">The cluster's name: the key of its services and its section; letters, digits, '-' and '_'.</param>
    /// <param name="configure">Code settings, applied after the section.</param>
    /// <param name="configureSettings">Changes the cluster's hosting settings after <c>Kafka:Clusters:&lt;name&gt;:Hosting</c> is bound; runs once, now.</param>
    /// <returns>The builder this cluster's features hang off.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> cannot be a configuration key.</exception>
    /// <exception cref="InvalidOperationException">A cluster of that name is already registered.</exception>
    public static SamsaKafkaBuilder AddSamsaKafka(
        this IServiceCollection services,
        IConfiguration configuration,
        string name,
        Action<KafkaOptions>? configure = null,
        Action<SamsaKafkaSettings>? configureSettings = null)
    {
        KafkaClusterNames.Validate(name);
        return AddSamsaKafkaCore(services, configuration, configure, configureSettings, name);
    }

    /// <summary>The one registration every <c>AddSamsaKafka</c> overload funnels into; <paramref name="cluster"/> is null for the default cluster.</summary>
    internal static SamsaKafkaBuilder AddSamsaKafkaCore(
        IServiceCollection services,
        IConfiguration configuration,
        Action<KafkaOptions>? configure,
        Action<SamsaKafkaSettings>? configureSettings,
        string? cluster = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        MarkRegistered(services, cluster);

        // Bound now, as Aspire does, because DisableHealthChecks decides what is registered; checked when the host starts.
        var settings = new SamsaKafkaSettings();
        SamsaKafkaSettingsBinder.Bind(settings, configuration, cluster);
        configureSettings?.Invoke(settings);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SamsaKafkaSettings>, SamsaKafkaSettingsValidator>());
        services.AddOptionsWithValidateOnStart<SamsaKafkaSettings>(cluster ?? Microsoft.Extensions.Options.Options.DefaultName).Configure(settings.CopyTo);

        services.AddSamsaKafkaOptions(configuration, configure, cluster);
        services.TryAddSingleton<TopicProvisioner>();
        if (cluster is null)
        {
            services.TryAddSingleton<IKafkaAdminClientFactory, KafkaAdminClientFactory>();
            services.TryAddSingleton<KafkaReadinessGate>();
            AddGate(services, provider => provider.GetRequiredService<KafkaReadinessGate>());
        }
        else
        {
            services.AddKeyedSingleton<IKafkaAdminClientFactory>(cluster, (provider, _) => new KafkaAdminClientFactory(
                NamedKafkaOptions(provider, cluster), provider.GetRequiredService<ILoggerFactory>()));
            services.AddKeyedSingleton(cluster, (provider, _) => new KafkaReadinessGate(
                NamedKafkaOptions(provider, cluster),
                new NamedOptions<SamsaKafkaSettings>(provider.GetRequiredService<IOptionsMonitor<SamsaKafkaSettings>>(), cluster),
                provider.GetRequiredKeyedService<IKafkaAdminClientFactory>(cluster),
                provider.GetRequiredService<TopicProvisioner>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<KafkaReadinessGate>>())
            {
                Cluster = cluster,
            });
            AddGate(services, provider => provider.GetRequiredKeyedService<KafkaReadinessGate>(cluster));
        }

        if (!settings.DisableHealthChecks)
        {
            AddBrokerHealthCheck(services, cluster);
        }

        return new SamsaKafkaBuilder(services, configuration, settings, cluster);
    }

    /// <summary>A named cluster's <see cref="KafkaOptions"/>, for the services built for it.</summary>
    internal static IOptions<KafkaOptions> NamedKafkaOptions(IServiceProvider provider, string cluster) =>
        new NamedOptions<KafkaOptions>(provider.GetRequiredService<IOptionsMonitor<KafkaOptions>>(), cluster);

    /// <summary>Refuses a second registration of the default cluster, or of one name (configuration keys ignore case, so names do too).</summary>
    private static void MarkRegistered(IServiceCollection services, string? cluster)
    {
        if (cluster is null)
        {
            if (services.Any(descriptor => descriptor.ServiceType == typeof(SamsaKafkaMarker)))
            {
                throw new InvalidOperationException(
                    "AddSamsaKafka has already been called on these services. Call it once, and declare topics and features on the SamsaKafkaBuilder it returns.");
            }

            services.AddSingleton<SamsaKafkaMarker>();
            return;
        }

        if (services.Any(descriptor => descriptor.ImplementationInstance is NamedKafkaCluster named && string.Equals(named.Name, cluster, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException(
                $"AddSamsaKafka(\"{cluster}\") has already been called on these services. Register each cluster once, and declare its topics and features on the SamsaKafkaBuilder it returns.");
        }

        services.AddSingleton(new NamedKafkaCluster(cluster));
    }

    /// <summary>
    /// The cluster's broker health check (<c>kafka</c>, or <c>kafka@&lt;name&gt;</c>): a cache filled by the one
    /// <see cref="HealthRefreshService"/>, which probes every cluster each round.
    /// </summary>
    private static void AddBrokerHealthCheck(IServiceCollection services, string? cluster)
    {
        if (cluster is null)
        {
            services.TryAddSingleton<KafkaHealthCheck>();
            services.TryAddSingleton<KafkaHealthCache>();
            services.AddSingleton(provider => new ClusterHealthProbe(null, provider.GetRequiredService<KafkaHealthCheck>(), provider.GetRequiredService<KafkaHealthCache>()));
            TrackedHealthChecks.Add(services, SamsaNames.BrokerHealthCheck, provider => provider.GetRequiredService<KafkaHealthCache>(), SamsaNames.ReadyTag);
        }
        else
        {
            services.AddKeyedSingleton<KafkaHealthCache>(cluster);
            services.AddSingleton(provider => new ClusterHealthProbe(
                cluster,
                new KafkaHealthCheck(
                    provider.GetRequiredKeyedService<IKafkaAdminClientFactory>(cluster),
                    new NamedOptions<SamsaKafkaSettings>(provider.GetRequiredService<IOptionsMonitor<SamsaKafkaSettings>>(), cluster),
                    provider.GetRequiredService<TimeProvider>()),
                provider.GetRequiredKeyedService<KafkaHealthCache>(cluster)));
            TrackedHealthChecks.Add(
                services,
                KafkaClusterNames.HealthCheckName(SamsaNames.BrokerHealthCheck, cluster),
                provider => provider.GetRequiredKeyedService<KafkaHealthCache>(cluster),
                SamsaNames.ReadyTag);
        }

        if (!services.Any(descriptor => descriptor.ServiceType == typeof(HealthRefreshService)))
        {
            services.AddSingleton<HealthRefreshService>();
            services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<HealthRefreshService>());
        }
    }

    /// <summary>
    /// Adds a cluster's gate after the gates registered so far (the clusters are checked in registration order, the
    /// default one first when it is registered first), and before every other hosted service.
    /// </summary>
    private static void AddGate(IServiceCollection services, Func<IServiceProvider, KafkaReadinessGate> gate)
    {
        // The factory's declared return type marks a gate: the other hosted services' factories return IHostedService or their own type.
        var descriptor = ServiceDescriptor.Singleton<IHostedService, KafkaReadinessGate>(gate);
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationFactory?.Method.ReturnType == typeof(KafkaReadinessGate))
            {
                services.Insert(i + 1, descriptor);
                return;
            }
        }

        AddFirstHostedService(services, descriptor);
    }

    /// <summary>
    /// Puts the gate before every hosted service registered so far, so its <c>StartingAsync</c> runs before theirs
    /// (the host starts services in registration order).
    /// </summary>
    private static void AddFirstHostedService(IServiceCollection services, ServiceDescriptor descriptor)
    {
        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IHostedService))
            {
                services.Insert(i, descriptor);
                return;
            }
        }

        services.Add(descriptor);
    }

    /// <summary>Marks the services as having Samsa's Kafka support.</summary>
    private sealed class SamsaKafkaMarker;
}

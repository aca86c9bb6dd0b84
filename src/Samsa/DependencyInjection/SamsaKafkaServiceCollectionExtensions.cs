using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
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

    /// <summary>The one registration every <c>AddSamsaKafka</c> overload funnels into.</summary>
    internal static SamsaKafkaBuilder AddSamsaKafkaCore(
        IServiceCollection services,
        IConfiguration configuration,
        Action<KafkaOptions>? configure,
        Action<SamsaKafkaSettings>? configureSettings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(descriptor => descriptor.ServiceType == typeof(SamsaKafkaMarker)))
        {
            throw new InvalidOperationException(
                "AddSamsaKafka has already been called on these services. Call it once, and declare topics and features on the SamsaKafkaBuilder it returns.");
        }

        services.AddSingleton<SamsaKafkaMarker>();

        // Bound now, as Aspire does, because DisableHealthChecks decides what is registered; checked when the host starts.
        var settings = new SamsaKafkaSettings();
        SamsaKafkaSettingsBinder.Bind(settings, configuration);
        configureSettings?.Invoke(settings);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SamsaKafkaSettings>, SamsaKafkaSettingsValidator>());
        services.AddOptionsWithValidateOnStart<SamsaKafkaSettings>().Configure(settings.CopyTo);

        services.AddSamsaKafkaOptions(configuration, configure);
        services.TryAddSingleton<IKafkaAdminClientFactory, KafkaAdminClientFactory>();
        services.TryAddSingleton<TopicProvisioner>();
        services.TryAddSingleton<KafkaReadinessGate>();
        AddFirstHostedService(services, ServiceDescriptor.Singleton<IHostedService>(provider => provider.GetRequiredService<KafkaReadinessGate>()));

        if (!settings.DisableHealthChecks)
        {
            services.TryAddSingleton<KafkaHealthCheck>();
            services.TryAddSingleton<KafkaHealthCache>();
            services.TryAddSingleton<HealthRefreshService>();
            services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<HealthRefreshService>());
            TrackedHealthChecks.Add(services, SamsaNames.BrokerHealthCheck, provider => provider.GetRequiredService<KafkaHealthCache>(), SamsaNames.ReadyTag);
        }

        return new SamsaKafkaBuilder(services, configuration, settings);
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

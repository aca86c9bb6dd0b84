using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Health;
using Samsa.Publishing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="IEventPublisher"/> to a Samsa Kafka registration.</summary>
public static class SamsaPublisherBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="IEventPublisher"/> (one shared producer, built on first use from the validated <c>KafkaOptions</c>),
    /// <see cref="ProducerErrorTracker"/>, the <c>samsa.publish.*</c> instruments, a flush when the host stops, and the
    /// producer health check (<see cref="PublisherDefaults.HealthCheckName"/>, tagged <see cref="SamsaNames.ReadyTag"/>).
    /// </summary>
    /// <param name="builder">The builder <c>AddSamsaKafka</c> returned.</param>
    /// <param name="configure">
    /// Publisher settings: serializer, topic mapping, flush timeout, health thresholds, Disable… switches. Applied after
    /// the <c>Kafka:Publisher</c> configuration section, which can set every setting that is not a callback or serializer.
    /// </param>
    /// <returns>The same builder, for more features.</returns>
    public static SamsaKafkaBuilder AddPublisher(this SamsaKafkaBuilder builder, Action<PublisherOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var section = builder.Section.GetSection(PublisherOptions.SectionKey);

        // Configuration first, then code, as for KafkaOptions; applied here for what decides the registration, and
        // again by the options pipeline, so both see the same settings.
        void Apply(PublisherOptions options)
        {
            options.ConfigurationErrors.AddRange(OptionsSectionBinder.Bind(options, section, PublisherDescription(builder.ClusterName)));
            configure?.Invoke(options);
        }

        var settings = new PublisherOptions();
        Apply(settings);
        services.AddOptions<PublisherOptions>(builder.OptionsName).Configure(Apply).ValidateOnStart();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PublisherOptions>, PublisherOptionsValidator>());
        services.AddOptions<KafkaOptions>(builder.OptionsName).PostConfigure<IOptionsMonitor<PublisherOptions>>(
            (kafka, publisher) => PublisherAccessRequirements.Declare(kafka, publisher.Get(builder.OptionsName)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ClientStatisticsMetrics(provider.GetService<IMeterFactory>(), provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => new SamsaMetrics(provider.GetService<IMeterFactory>(), provider.GetRequiredService<ClientStatisticsMetrics>()));
        if (builder.ClusterName is { } cluster)
        {
            AddNamedPublisher(builder, cluster, settings);
            return builder;
        }

        services.TryAddSingleton(provider => new ProducerErrorTracker(
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<PublisherOptions>>().Value.HealthWindow));
        services.TryAddSingleton(provider => CreatePublisher(
            provider, provider.GetRequiredService<IOptions<KafkaOptions>>(), provider.GetRequiredService<IOptions<PublisherOptions>>().Value, provider.GetRequiredService<ProducerErrorTracker>()));
        services.TryAddSingleton<IEventPublisher>(provider => provider.GetRequiredService<EventPublisher>());
        services.AddHostedService(provider => new EventPublisherLifetime(
            provider.GetRequiredService<EventPublisher>(), provider.GetRequiredService<IOptions<PublisherOptions>>().Value));

        if (!settings.DisableHealthChecks && !services.Any(d => d.ServiceType == typeof(ProducerHealthCheckMarker)))
        {
            services.AddSingleton<ProducerHealthCheckMarker>();
            TrackedHealthChecks.Add(
                services,
                PublisherDefaults.HealthCheckName,
                provider => ActivatorUtilities.GetServiceOrCreateInstance<ProducerErrorsHealthCheck>(provider),
                SamsaNames.ReadyTag);
        }

        return builder;
    }

    /// <summary>
    /// A named cluster's publisher: the same services as the default one's, keyed by the cluster's name
    /// (<c>[FromKeyedServices("name")] IEventPublisher</c>), with its health check <c>kafka-producer@name</c>.
    /// </summary>
    private static void AddNamedPublisher(SamsaKafkaBuilder builder, string cluster, PublisherOptions settings)
    {
        var services = builder.Services;
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(EventPublisher) && Equals(d.ServiceKey, cluster)))
        {
            // A second AddPublisher adds settings, as on the default cluster; the services are there already.
            return;
        }

        PublisherOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptionsMonitor<PublisherOptions>>().Get(cluster);
        services.AddKeyedSingleton(cluster, (provider, _) => new ProducerErrorTracker(provider.GetRequiredService<TimeProvider>(), Options(provider).HealthWindow));
        services.AddKeyedSingleton(cluster, (provider, _) => CreatePublisher(
            provider, SamsaKafkaServiceCollectionExtensions.NamedKafkaOptions(provider, cluster), Options(provider), provider.GetRequiredKeyedService<ProducerErrorTracker>(cluster)));
        services.AddKeyedSingleton<IEventPublisher>(cluster, (provider, key) => provider.GetRequiredKeyedService<EventPublisher>(key));

        // Added, not AddHostedService: that keeps one service per type, and the default cluster's lifetime is one already.
        services.AddSingleton<IHostedService>(provider => new EventPublisherLifetime(provider.GetRequiredKeyedService<EventPublisher>(cluster), Options(provider)));

        if (!builder.Settings.DisableHealthChecks && !settings.DisableHealthChecks)
        {
            TrackedHealthChecks.Add(
                services,
                KafkaClusterNames.HealthCheckName(PublisherDefaults.HealthCheckName, cluster),
                provider => new ProducerErrorsHealthCheck(
                    provider.GetRequiredKeyedService<ProducerErrorTracker>(cluster), new NamedOptions<PublisherOptions>(provider.GetRequiredService<IOptionsMonitor<PublisherOptions>>(), cluster)),
                SamsaNames.ReadyTag);
        }
    }

    /// <summary>The publisher of one cluster: one shared producer, built on first use from the cluster's validated options.</summary>
    private static EventPublisher CreatePublisher(IServiceProvider provider, IOptions<KafkaOptions> kafka, PublisherOptions options, ProducerErrorTracker tracker) =>
        new(
            () => KafkaClientConfigFactory.CreateProducerConfig(kafka.Value),
            options,
            tracker,
            provider.GetRequiredService<SamsaMetrics>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger<EventPublisher>(),
            provider.GetRequiredService<TimeProvider>());

    /// <summary>How configuration messages name the publisher: "publisher", or "publisher of cluster `billing`".</summary>
    private static string PublisherDescription(string? cluster) => cluster is null ? "publisher" : $"publisher of cluster `{cluster}`";

    /// <summary>Marks that the producer health check is registered, so a second <c>AddPublisher</c> does not add it twice.</summary>
    private sealed class ProducerHealthCheckMarker;
}

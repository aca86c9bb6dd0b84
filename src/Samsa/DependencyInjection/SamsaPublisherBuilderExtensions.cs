using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        var section = builder.Configuration.GetSection(KafkaDefaults.SectionName).GetSection(PublisherOptions.SectionKey);

        // Configuration first, then code, as for KafkaOptions; applied here for what decides the registration, and
        // again by the options pipeline, so both see the same settings.
        void Apply(PublisherOptions options)
        {
            options.ConfigurationErrors.AddRange(OptionsSectionBinder.Bind(options, section, "publisher"));
            configure?.Invoke(options);
        }

        var settings = new PublisherOptions();
        Apply(settings);
        services.AddOptions<PublisherOptions>().Configure(Apply).ValidateOnStart();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PublisherOptions>, PublisherOptionsValidator>());
        services.AddOptions<KafkaOptions>().PostConfigure<IOptions<PublisherOptions>>((kafka, publisher) => PublisherAccessRequirements.Declare(kafka, publisher.Value));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ClientStatisticsMetrics(provider.GetService<IMeterFactory>(), provider.GetService<TimeProvider>()));
        services.TryAddSingleton(provider => new SamsaMetrics(provider.GetService<IMeterFactory>(), provider.GetRequiredService<ClientStatisticsMetrics>()));
        services.TryAddSingleton(provider => new ProducerErrorTracker(
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<PublisherOptions>>().Value.HealthWindow));
        services.TryAddSingleton(provider =>
        {
            var kafka = provider.GetRequiredService<IOptions<KafkaOptions>>();
            return new EventPublisher(
                () => KafkaClientConfigFactory.CreateProducerConfig(kafka.Value),
                provider.GetRequiredService<IOptions<PublisherOptions>>().Value,
                provider.GetRequiredService<ProducerErrorTracker>(),
                provider.GetRequiredService<SamsaMetrics>(),
                provider.GetService<ILoggerFactory>()?.CreateLogger<EventPublisher>(),
                provider.GetRequiredService<TimeProvider>());
        });
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

    /// <summary>Marks that the producer health check is registered, so a second <c>AddPublisher</c> does not add it twice.</summary>
    private sealed class ProducerHealthCheckMarker;
}

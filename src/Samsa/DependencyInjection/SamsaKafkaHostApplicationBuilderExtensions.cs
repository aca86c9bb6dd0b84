using Microsoft.Extensions.DependencyInjection;
using Samsa.Configuration;
using Samsa.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers Samsa's Kafka support on a host application builder.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The named overload differs by its leading name; none has shipped, so adding it breaks no compiled caller.")]
public static class SamsaKafkaHostApplicationBuilderExtensions
{
    /// <summary>
    /// Registers Samsa's Kafka support, bound from the builder's configuration (the <c>Kafka</c> section and
    /// <c>Kafka:Hosting</c>) and the <c>KAFKA_*</c> variables; the host environment picks the profile.
    /// </summary>
    /// <param name="builder">The host application builder.</param>
    /// <param name="configure">Code settings, applied after the section and the variables.</param>
    /// <param name="configureSettings">Changes the hosting settings after <c>Kafka:Hosting</c> is bound; runs once, now.</param>
    /// <returns>The builder the features hang off.</returns>
    /// <exception cref="InvalidOperationException">Samsa's Kafka support is already registered.</exception>
    public static SamsaKafkaBuilder AddSamsaKafka(
        this IHostApplicationBuilder builder,
        Action<KafkaOptions>? configure = null,
        Action<SamsaKafkaSettings>? configureSettings = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return SamsaKafkaServiceCollectionExtensions.AddSamsaKafkaCore(builder.Services, builder.Configuration, configure, configureSettings);
    }

    /// <summary>
    /// Registers a named Kafka cluster beside the default one: bound from <c>Kafka:Clusters:&lt;name&gt;</c> (environment
    /// variables: <c>Kafka__Clusters__&lt;name&gt;__BootstrapServers</c>), validated like the <c>Kafka</c> section, with its own
    /// start-up gate and health check. The publisher added on the returned builder is
    /// <c>[FromKeyedServices("name")] IEventPublisher</c>; its consumers read this cluster. See docs/clusters.md.
    /// </summary>
    /// <param name="builder">The host application builder.</param>
    /// <param name="name">The cluster's name: the key of its services and its section; letters, digits, '-' and '_'.</param>
    /// <param name="configure">Code settings, applied after the section.</param>
    /// <param name="configureSettings">Changes the cluster's hosting settings after <c>Kafka:Clusters:&lt;name&gt;:Hosting</c> is bound; runs once, now.</param>
    /// <returns>The builder this cluster's features hang off.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> cannot be a configuration key.</exception>
    /// <exception cref="InvalidOperationException">A cluster of that name is already registered.</exception>
    public static SamsaKafkaBuilder AddSamsaKafka(
        this IHostApplicationBuilder builder,
        string name,
        Action<KafkaOptions>? configure = null,
        Action<SamsaKafkaSettings>? configureSettings = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddSamsaKafka(builder.Configuration, name, configure, configureSettings);
    }
}

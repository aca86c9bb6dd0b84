using Microsoft.Extensions.DependencyInjection;
using Samsa.Configuration;
using Samsa.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers Samsa's Kafka support on a host application builder.</summary>
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
}

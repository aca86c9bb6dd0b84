using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Samsa.DependencyInjection;

/// <summary>
/// Returned by <c>AddSamsaKafka</c>; the features (topics, publisher, consumers) hang off it as
/// extension methods, each in its own feature folder.
/// </summary>
public sealed class SamsaKafkaBuilder
{
    internal SamsaKafkaBuilder(IServiceCollection services, IConfiguration configuration, SamsaKafkaSettings? settings = null)
    {
        Services = services;
        Configuration = configuration;
        Settings = settings ?? new SamsaKafkaSettings();
    }

    /// <summary>The services Samsa registered into.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The configuration the <c>Kafka</c> section was bound from.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>
    /// The hosting settings as bound at registration (<c>Kafka:Hosting</c> and the <c>configureSettings</c> delegate), for
    /// features that register more health checks: they honour <see cref="SamsaKafkaSettings.DisableHealthChecks"/>.
    /// </summary>
    public SamsaKafkaSettings Settings { get; }
}

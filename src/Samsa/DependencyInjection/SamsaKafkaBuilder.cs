using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Samsa.DependencyInjection;

/// <summary>
/// Returned by <c>AddSamsaKafka</c>; the features (topics, publisher, consumers) hang off it as
/// extension methods, each in its own feature folder.
/// </summary>
public sealed class SamsaKafkaBuilder
{
    internal SamsaKafkaBuilder(IServiceCollection services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    public IServiceCollection Services { get; }

    /// <summary>The configuration the <c>Kafka</c> section was bound from.</summary>
    public IConfiguration Configuration { get; }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Samsa.Testing;

namespace Microsoft.AspNetCore.Mvc.Testing;

/// <summary>
/// Points a service under test at a <see cref="KafkaTestCluster"/> through its configuration:
/// <c>Kafka:BootstrapServers</c> and the security settings (what <c>AddSamsaKafka</c> binds) and
/// <c>ConnectionStrings:kafka</c>, for code that builds Confluent.Kafka clients from those.
/// <code>
/// await using var kafka = await KafkaTestCluster.StartAsync();
/// await using var app = new WebApplicationFactory&lt;Program&gt;().WithKafka(kafka);
/// </code>
/// </summary>
public static class KafkaWebApplicationFactoryExtensions
{
    /// <summary>A factory whose host reads the cluster's settings, over whatever the app's own configuration says.</summary>
    public static WebApplicationFactory<TEntryPoint> WithKafka<TEntryPoint>(this WebApplicationFactory<TEntryPoint> factory, KafkaTestCluster kafka)
        where TEntryPoint : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(kafka);
        return factory.WithWebHostBuilder(builder => builder.UseKafkaTestCluster(kafka));
    }

    /// <summary>Adds the cluster's settings to a web host's configuration (<see cref="KafkaTestCluster.ConfigurationSettings"/>).</summary>
    public static IWebHostBuilder UseKafkaTestCluster(this IWebHostBuilder builder, KafkaTestCluster kafka)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(kafka);
        foreach (var (key, value) in kafka.ConfigurationSettings())
        {
            builder.UseSetting(key, value);
        }

        return builder;
    }
}

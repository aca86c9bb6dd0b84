using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Samsa.Configuration;

namespace Samsa.DependencyInjection;

/// <summary>
/// Returned by <c>AddSamsaKafka</c>; the features (topics, publisher, consumers) hang off it as
/// extension methods, each in its own feature folder. A builder belongs to one cluster: the default one, or the
/// named one <c>AddSamsaKafka("name")</c> registered; every feature added on it uses that cluster.
/// </summary>
public sealed class SamsaKafkaBuilder
{
    internal SamsaKafkaBuilder(IServiceCollection services, IConfiguration configuration, SamsaKafkaSettings? settings = null, string? clusterName = null)
    {
        Services = services;
        Configuration = configuration;
        Settings = settings ?? new SamsaKafkaSettings();
        ClusterName = clusterName;
        Section = KafkaClusterNames.Section(configuration, clusterName);
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

    /// <summary>The cluster's name given to <c>AddSamsaKafka("name")</c>, or null for the default cluster.</summary>
    public string? ClusterName { get; }

    /// <summary>This cluster's section: <c>Kafka</c>, or <c>Kafka:Clusters:&lt;name&gt;</c>.</summary>
    internal IConfigurationSection Section { get; }

    /// <summary>The name of this cluster's options (<see cref="KafkaOptions"/>, publisher settings): the default name, or the cluster's.</summary>
    internal string OptionsName => ClusterName ?? Options.DefaultName;
}

using Samsa.Configuration;
using Samsa.DependencyInjection;
using Samsa.Provisioning;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Declares topics and tunes their provisioning on a <see cref="SamsaKafkaBuilder"/>.</summary>
public static class SamsaKafkaBuilderProvisioningExtensions
{
    /// <summary>
    /// Declares a topic the service needs: created at start-up when missing, checked when present. Settings left unset
    /// take the profile's defaults (<see cref="TopicDefaults"/>). A topic also declared in configuration
    /// (<c>Kafka:Topics:&lt;name&gt;</c>) is the same declaration; <paramref name="configure"/> runs after it is bound.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The topic name, as Kafka spells it.</param>
    /// <param name="configure">Sets partitions, replication, <c>min.insync.replicas</c>, retention, cleanup policy and configs.</param>
    /// <returns>The builder.</returns>
    public static SamsaKafkaBuilder AddTopic(this SamsaKafkaBuilder builder, string name, Action<TopicDeclaration>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.Configure<KafkaOptions>(builder.OptionsName, options =>
        {
            if (!options.Topics.TryGetValue(name, out var topic))
            {
                topic = new TopicDeclaration();
                options.Topics[name] = topic;
            }

            configure?.Invoke(topic);
        });
        return builder;
    }

    /// <summary>Changes how topics are provisioned (after <c>Kafka:Provisioning</c> is bound).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets <see cref="ProvisioningOptions.CreateMissingTopics"/>, <see cref="ProvisioningOptions.AllowAddPartitions"/> and <see cref="ProvisioningOptions.DriftPolicy"/>.</param>
    /// <returns>The builder.</returns>
    public static SamsaKafkaBuilder ConfigureProvisioning(this SamsaKafkaBuilder builder, Action<ProvisioningOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<KafkaOptions>(builder.OptionsName, options => configure(options.Provisioning));
        return builder;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Samsa.Configuration;

/// <summary>
/// Registers <see cref="KafkaOptions"/> for one cluster. Not an entry point: the public <c>AddSamsaKafka</c> methods
/// (<c>DependencyInjection/SamsaKafkaServiceCollectionExtensions.cs</c>) call it.
/// </summary>
internal static class KafkaOptionsRegistration
{
    /// <summary>
    /// Registers <see cref="KafkaOptions"/> bound in layers (the <c>Kafka</c> section of <paramref name="configuration"/>,
    /// then the <c>KAFKA_*</c> variables, then <paramref name="configure"/>; then the host environment picks the
    /// profile), and validated when the host starts (<c>ValidateOnStart</c>), before any client connects.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration root; its <c>Kafka</c> section is bound.</param>
    /// <param name="configure">Code settings, applied after the section and the variables.</param>
    /// <param name="cluster">A named cluster: its options carry its name, are bound from <c>Kafka:Clusters:&lt;name&gt;</c> and read no <c>KAFKA_*</c> variables.</param>
    /// <returns>The options builder, for more configuration.</returns>
    /// <remarks>
    /// Variables come from an <see cref="IEnvironmentVariableSource"/> registered in the container, else from the process.
    /// <see cref="TimeProvider"/> defaults to <see cref="TimeProvider.System"/>. Calling it twice binds twice; call it once.
    /// </remarks>
    internal static OptionsBuilder<KafkaOptions> AddSamsaKafkaOptions(
        this IServiceCollection services,
        IConfiguration configuration,
        Action<KafkaOptions>? configure = null,
        string? cluster = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEnvironmentVariableSource>(ProcessEnvironmentVariableSource.Instance);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());

        var builder = services.AddOptionsWithValidateOnStart<KafkaOptions>(cluster ?? Options.DefaultName)
            .Configure(options => KafkaConfigurationBinder.BindSection(options, KafkaClusterNames.Section(configuration, cluster)));
        if (cluster is null)
        {
            // KAFKA_* variables are the default cluster's; a named one is set through its section (see KafkaClusterNames).
            builder.Configure<IEnvironmentVariableSource>(KafkaConfigurationBinder.BindEnvironment);
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.PostConfigure<IServiceProvider>((options, provider) =>
        {
            var host = provider.GetService<IHostEnvironment>();
            KafkaConfigurationBinder.ApplyHostEnvironment(options, host?.EnvironmentName, host?.ApplicationName);
        });
        return builder;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Samsa.DependencyInjection;
using Samsa.Provisioning;

namespace Samsa.Configuration;

/// <summary>
/// Binds <see cref="KafkaOptions"/> in layers: the <c>Kafka</c> configuration section, then the
/// <c>KAFKA_*</c> environment variables, then the code delegate; then the host environment decides the
/// profile. Binding never throws: every key it cannot use (an unknown key, a near-miss variable, a value
/// that does not parse) is recorded and reported, all at once, by <see cref="KafkaOptionsValidator"/>.
/// </summary>
internal static class KafkaConfigurationBinder
{
    private const int MaxShownValueLength = 120;

    private static readonly string[] Groups = ["Producer", "Consumer", "Admin"];

    /// <summary>Sections below <c>Kafka</c> that other parts of Samsa bind: topics, provisioning, hosting.</summary>
    private static readonly string[] SectionKeys =
    [
        TopicDeclarationBinder.TopicsKey, TopicDeclarationBinder.ProvisioningKey, SamsaKafkaSettings.SectionKey, Monitoring.LagMonitorOptions.SectionKey,
        Publishing.PublisherOptions.SectionKey, Consuming.ConsumerOptions.SectionKey, KafkaClusterNames.ClustersKey,
    ];

    /// <summary>
    /// Builds options the way the service registration does, without a container: section, environment,
    /// delegate, host environment.
    /// </summary>
    /// <param name="configuration">The configuration root (its <c>Kafka</c> section is read), or null.</param>
    /// <param name="environment">The environment variables, or null for none.</param>
    /// <param name="configure">The code delegate, applied last.</param>
    /// <param name="environmentName">The host environment name (<c>Development</c>, <c>Production</c>…); it picks the profile when none is set.</param>
    /// <param name="applicationName">The application name, the default <c>client.id</c>.</param>
    public static KafkaOptions Load(
        IConfiguration? configuration,
        IEnvironmentVariableSource? environment,
        Action<KafkaOptions>? configure = null,
        string? environmentName = null,
        string? applicationName = null)
    {
        var options = new KafkaOptions();
        if (configuration is not null)
        {
            BindSection(options, configuration.GetSection(KafkaDefaults.SectionName));
        }

        if (environment is not null)
        {
            BindEnvironment(options, environment);
        }

        configure?.Invoke(options);
        ApplyHostEnvironment(options, environmentName, applicationName);
        return options;
    }

    /// <summary>Binds the <c>Kafka</c> section (pass the section itself). Unknown keys are recorded with the nearest valid name.</summary>
    public static void BindSection(KafkaOptions options, IConfiguration section)
    {
        foreach (var child in section.GetChildren())
        {
            var group = Groups.FirstOrDefault(g => string.Equals(g, child.Key, StringComparison.OrdinalIgnoreCase));
            if (group is not null)
            {
                BindGroup(options, child, group);
            }
            else if (string.Equals(child.Key, KafkaSettingCatalog.PropertiesKey, StringComparison.OrdinalIgnoreCase))
            {
                BindMap(options, options.Properties, child);
            }
            else if (string.Equals(child.Key, TopicDeclarationBinder.TopicsKey, StringComparison.OrdinalIgnoreCase))
            {
                TopicDeclarationBinder.BindTopics(options, child);
            }
            else if (string.Equals(child.Key, TopicDeclarationBinder.ProvisioningKey, StringComparison.OrdinalIgnoreCase))
            {
                TopicDeclarationBinder.BindProvisioning(options, child);
            }
            else if (string.Equals(child.Key, SamsaKafkaSettings.SectionKey, StringComparison.OrdinalIgnoreCase))
            {
                // Kafka:Hosting is bound into SamsaKafkaSettings by AddSamsaKafka.
            }
            else if (string.Equals(child.Key, Monitoring.LagMonitorOptions.SectionKey, StringComparison.OrdinalIgnoreCase))
            {
                // Kafka:Monitoring is bound into LagMonitorOptions by AddConsumer.
            }
            else if (string.Equals(child.Key, Publishing.PublisherOptions.SectionKey, StringComparison.OrdinalIgnoreCase)
                || string.Equals(child.Key, Consuming.ConsumerOptions.SectionKey, StringComparison.OrdinalIgnoreCase))
            {
                // Kafka:Publisher and Kafka:Consumers:<topic> are bound into PublisherOptions and ConsumerOptions by AddPublisher and AddConsumer.
            }
            else if (string.Equals(child.Key, KafkaClusterNames.ClustersKey, StringComparison.OrdinalIgnoreCase))
            {
                // Kafka:Clusters:<name> is bound into the named KafkaOptions by AddSamsaKafka("name"); inside a named cluster's section it is an error.
                if (section is IConfigurationSection { Path: var path } && !string.Equals(path, KafkaDefaults.SectionName, StringComparison.OrdinalIgnoreCase))
                {
                    options.BindingIssues.Add(KafkaConfigurationIssue.Error(child.Path, $"`{child.Path}`: clusters are declared under `{KafkaDefaults.SectionName}:{KafkaClusterNames.ClustersKey}` only, not inside one."));
                }
            }
            else
            {
                BindValueOrReport(options, child, string.Empty);
            }
        }
    }

    /// <summary>
    /// Binds the <c>KAFKA_*</c> variables Samsa reads (<see cref="KafkaEnvironmentVariables"/>). Near misses are
    /// recorded as errors, unknown <c>KAFKA_*</c> variables as warnings; other tools' variables are ignored.
    /// </summary>
    public static void BindEnvironment(KafkaOptions options, IEnvironmentVariableSource environment)
    {
        foreach (var (name, value) in environment.GetVariables().OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var (kind, setting) = KafkaEnvironmentVariables.Classify(name);
            switch (kind)
            {
                case KafkaVariableKind.Ours when !string.IsNullOrWhiteSpace(value):
                    Bind(options, setting!, name, value);
                    break;
                case KafkaVariableKind.NearMiss:
                    options.BindingIssues.Add(KafkaConfigurationIssue.Error(
                        name,
                        $"`{name}` is not a variable Samsa reads; did you mean `{setting!.EnvironmentVariable}` ({Describe(setting)})? Its value is ignored."));
                    break;
                case KafkaVariableKind.Unknown:
                    var hint = setting is null ? string.Empty : $" Did you mean `{setting.EnvironmentVariable}` ({Describe(setting)})?";
                    options.BindingIssues.Add(KafkaConfigurationIssue.Warning(
                        name,
                        $"`{name}` is not read by Samsa and is not a known variable of another Kafka tool; it is ignored.{hint}"));
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>
    /// Records the host environment, chooses the profile when none is set (Development → Development, anything
    /// else → Production), and defaults <c>client.id</c> to the application name.
    /// </summary>
    public static void ApplyHostEnvironment(KafkaOptions options, string? environmentName, string? applicationName)
    {
        options.HostEnvironmentName = environmentName;
        options.Profile ??= string.Equals(environmentName, Environments.Development, StringComparison.OrdinalIgnoreCase)
            ? KafkaProfile.Development
            : KafkaProfile.Production;

        var rawClientId = KafkaValueResolver.AllRawProperties(options).Any(p => p.Name == "client.id");
        if (options.ClientId is null && !rawClientId && !string.IsNullOrWhiteSpace(applicationName))
        {
            options.ClientId = applicationName;
        }
    }

    /// <summary>A value for a message: masked when secret, shortened when long.</summary>
    internal static string ShowValue(string value, bool secret) =>
        secret ? KafkaConfigurationPrinter.Mask : value.Length <= MaxShownValueLength ? value : value[..MaxShownValueLength] + "…";

    private static string Describe(KafkaSetting setting) =>
        setting.LibrdkafkaName is null ? $"`{setting.SectionKey}`" : $"`{setting.SectionKey}`, `{setting.LibrdkafkaName}`";

    private static void BindGroup(KafkaOptions options, IConfigurationSection section, string group)
    {
        foreach (var child in section.GetChildren())
        {
            if (string.Equals(child.Key, KafkaSettingCatalog.PropertiesKey, StringComparison.OrdinalIgnoreCase))
            {
                var map = group switch
                {
                    "Producer" => options.Producer.Properties,
                    "Consumer" => options.Consumer.Properties,
                    _ => options.Admin.Properties,
                };
                BindMap(options, map, child);
            }
            else
            {
                BindValueOrReport(options, child, group);
            }
        }
    }

    private static void BindMap(KafkaOptions options, IDictionary<string, string> map, IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            if (child.Value is null)
            {
                options.BindingIssues.Add(KafkaConfigurationIssue.Error(
                    child.Path,
                    $"`{child.Path}` is a section, but raw librdkafka properties are flat names with one value each (`{section.Path}:linger.ms`)."));
                continue;
            }

            map[child.Key] = child.Value;
        }
    }

    private static void BindValueOrReport(KafkaOptions options, IConfigurationSection child, string group)
    {
        var setting = KafkaSettingCatalog.All.FirstOrDefault(s => s.Group == group && string.Equals(s.Name, child.Key, StringComparison.OrdinalIgnoreCase));
        if (setting is null)
        {
            options.BindingIssues.Add(KafkaConfigurationIssue.Error(child.Path, UnknownKeyMessage(child.Path, child.Key, group)));
            return;
        }

        if (setting == KafkaSettingCatalog.BootstrapServers && child.Value is null && child.GetChildren().Any())
        {
            // An array: Kafka:BootstrapServers:0, :1, …
            var entries = child.GetChildren().Select(entry => entry.Value?.Trim() ?? string.Empty).ToList();
            if (entries.Any(string.IsNullOrEmpty))
            {
                options.BindingIssues.Add(KafkaConfigurationIssue.Error(child.Path, $"`{child.Path}` has an empty entry."));
                return;
            }

            options.BootstrapServers = entries;
            return;
        }

        if (child.Value is null)
        {
            if (child.GetChildren().Any())
            {
                options.BindingIssues.Add(KafkaConfigurationIssue.Error(child.Path, $"`{child.Path}` must be a single value, not a section; expected {setting.Expected}."));
            }

            return;
        }

        if (!string.IsNullOrWhiteSpace(child.Value))
        {
            Bind(options, setting, child.Path, child.Value);
        }
    }

    private static void Bind(KafkaOptions options, KafkaSetting setting, string source, string value)
    {
        var (parsed, error) = setting.Parse(value);
        if (parsed is null)
        {
            options.BindingIssues.Add(KafkaConfigurationIssue.Error(
                source,
                $"`{source}`=`{ShowValue(value, setting.IsSecret)}` {error}; expected {setting.Expected}."));
            return;
        }

        setting.Set(options, parsed);
    }

    /// <summary>"`Kafka:Producer:batch_size` is not a setting; did you mean `BatchSize` (`batch.size`)?"</summary>
    internal static string UnknownKeyMessage(string path, string key, string group)
    {
        var foreign = KafkaForeignPropertyNames.Lookup(key);
        var setting = foreign is null ? null : KafkaSettingCatalog.ByLibrdkafkaName(foreign.Value.Librdkafka);
        if (setting is null)
        {
            // Same group first, so a tie goes to the setting next to the typo.
            var candidates = KafkaSettingCatalog.All
                .OrderBy(s => s.Group == group ? 0 : 1)
                .SelectMany(s => s.EquivalentNames.Prepend(s.Name).Select(name => (name, s)));
            setting = KafkaNameMatcher.FindNearest(key, candidates);
        }

        if (setting is not null)
        {
            var where = setting.Group == group ? $"`{setting.Name}`" : $"`{setting.SectionKey}`";
            var lib = setting.LibrdkafkaName is null ? string.Empty : $" (`{setting.LibrdkafkaName}`)";
            var origin = foreign is null ? string.Empty : $" `{key}` is what {foreign.Value.Origin} call it.";
            return $"`{path}` is not a setting; did you mean {where}{lib}?{origin}";
        }

        // The key's parent: Kafka, Kafka:Producer, or a named cluster's Kafka:Clusters:<name>[:Producer].
        var section = path.Length > key.Length ? path[..(path.Length - key.Length - 1)] : group.Length == 0 ? KafkaDefaults.SectionName : $"{KafkaDefaults.SectionName}:{group}";
        var keys = (group.Length == 0 ? Groups.Concat(SectionKeys) : []).Append(KafkaSettingCatalog.PropertiesKey);
        var nearKey = KafkaNameMatcher.FindNearest(key, keys.Select(k => (k, k)));
        if (nearKey is not null)
        {
            return $"`{path}` is not a setting; did you mean `{section}:{nearKey}`?";
        }

        return $"`{path}` is not a setting. Raw librdkafka properties go under `{section}:{KafkaSettingCatalog.PropertiesKey}`.";
    }
}

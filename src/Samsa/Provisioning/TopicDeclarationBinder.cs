using System.Globalization;
using Microsoft.Extensions.Configuration;
using Samsa.Configuration;

namespace Samsa.Provisioning;

/// <summary>
/// Binds <c>Kafka:Topics</c> and <c>Kafka:Provisioning</c> into <see cref="KafkaOptions"/>. Like the rest of the
/// section binding it never throws: unknown keys (with the nearest valid one) and unparsable values are recorded
/// and reported at start by <see cref="KafkaOptionsValidator"/>.
/// </summary>
/// <remarks>
/// <c>Kafka:Topics:&lt;name&gt;:{Partitions, ReplicationFactor, MinInsyncReplicas, RetentionMs, CleanupPolicy, Configs:{…}}</c>
/// declares a topic; an empty value (<c>Kafka:Topics:orders=</c>) or a list of names (<c>"Topics": ["orders"]</c>)
/// declares topics with their profile defaults. Code declarations (<c>AddTopic</c>) are applied afterwards and win.
/// </remarks>
internal static class TopicDeclarationBinder
{
    /// <summary>The key of the topic declarations below <c>Kafka</c>.</summary>
    public const string TopicsKey = "Topics";

    /// <summary>The key of <see cref="ProvisioningOptions"/> below <c>Kafka</c>.</summary>
    public const string ProvisioningKey = "Provisioning";

    private static readonly string[] TopicSettings =
    [
        nameof(TopicDeclaration.Partitions), nameof(TopicDeclaration.ReplicationFactor), nameof(TopicDeclaration.MinInsyncReplicas),
        nameof(TopicDeclaration.RetentionMs), nameof(TopicDeclaration.CleanupPolicy), nameof(TopicDeclaration.Configs),
    ];

    private static readonly string[] ProvisioningSettings =
    [
        nameof(ProvisioningOptions.CreateMissingTopics), nameof(ProvisioningOptions.AllowAddPartitions), nameof(ProvisioningOptions.DriftPolicy),
    ];

    /// <summary>Binds <c>Kafka:Topics</c> (pass the section itself).</summary>
    public static void BindTopics(KafkaOptions options, IConfigurationSection section)
    {
        foreach (var topicSection in section.GetChildren())
        {
            var children = topicSection.GetChildren().ToList();
            if (children.Count == 0)
            {
                BindNameOnly(options, topicSection);
                continue;
            }

            var topic = Declaration(options, topicSection.Key);
            foreach (var child in children)
            {
                BindTopicSetting(options, topic, child);
            }
        }
    }

    /// <summary>Binds <c>Kafka:Provisioning</c> (pass the section itself).</summary>
    public static void BindProvisioning(KafkaOptions options, IConfigurationSection section)
    {
        var provisioning = options.Provisioning;
        foreach (var child in section.GetChildren())
        {
            var key = Match(child.Key, ProvisioningSettings);
            if (key is null)
            {
                ReportUnknown(options, child, ProvisioningSettings, "a provisioning setting");
                continue;
            }

            if (NotSingleValue(options, child))
            {
                continue;
            }

            switch (key)
            {
                case nameof(ProvisioningOptions.CreateMissingTopics):
                    BindFlag(options, child, value => provisioning.CreateMissingTopics = value);
                    break;
                case nameof(ProvisioningOptions.AllowAddPartitions):
                    BindFlag(options, child, value => provisioning.AllowAddPartitions = value);
                    break;
                default:
                    if (TryParsePolicy(child.Value!, out var policy))
                    {
                        provisioning.DriftPolicy = policy;
                    }
                    else
                    {
                        Report(options, child, "Error or Warn");
                    }

                    break;
            }
        }
    }

    /// <summary>Accepts <c>Error</c>, <c>Warn</c> and <c>Warning</c>, in any case.</summary>
    internal static bool TryParsePolicy(string text, out TopicDriftPolicy policy)
    {
        var trimmed = text.Trim();
        if (string.Equals(trimmed, "Warning", StringComparison.OrdinalIgnoreCase))
        {
            policy = TopicDriftPolicy.Warn;
            return true;
        }

        return Enum.TryParse(trimmed, ignoreCase: true, out policy) && Enum.IsDefined(policy) && !int.TryParse(trimmed, out _);
    }

    private static void BindNameOnly(KafkaOptions options, IConfigurationSection topicSection)
    {
        var value = topicSection.Value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            // Kafka:Topics:orders= (an environment variable Kafka__Topics__orders=): declared with its defaults.
            Declaration(options, topicSection.Key);
        }
        else if (int.TryParse(topicSection.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            // "Topics": ["orders", "payments"]
            Declaration(options, value);
        }
        else
        {
            options.BindingIssues.Add(KafkaConfigurationIssue.Error(
                topicSection.Path,
                $"`{topicSection.Path}`=`{KafkaConfigurationBinder.ShowValue(value, secret: false)}`: a topic is declared by a section " +
                $"(`{topicSection.Path}:Partitions`, …), by an empty value, or by its name in a list (`\"Topics\": [\"{topicSection.Key}\"]`)."));
        }
    }

    private static TopicDeclaration Declaration(KafkaOptions options, string name)
    {
        if (!options.Topics.TryGetValue(name, out var topic))
        {
            topic = new TopicDeclaration();
            options.Topics[name] = topic;
        }

        return topic;
    }

    private static void BindTopicSetting(KafkaOptions options, TopicDeclaration topic, IConfigurationSection child)
    {
        var key = Match(child.Key, TopicSettings);
        if (key is null)
        {
            ReportUnknown(options, child, TopicSettings, "a topic setting");
            return;
        }

        if (key == nameof(TopicDeclaration.Configs))
        {
            foreach (var config in child.GetChildren())
            {
                if (config.Value is null)
                {
                    options.BindingIssues.Add(KafkaConfigurationIssue.Error(
                        config.Path,
                        $"`{config.Path}` is a section, but topic configs are flat names with one value each (`{child.Path}:max.message.bytes`)."));
                    continue;
                }

                topic.Configs[config.Key] = config.Value;
            }

            return;
        }

        if (NotSingleValue(options, child) || string.IsNullOrWhiteSpace(child.Value))
        {
            return;
        }

        var text = child.Value.Trim();
        switch (key)
        {
            case nameof(TopicDeclaration.Partitions):
                Bind(options, child, int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var partitions), () => topic.Partitions = partitions, "a whole number");
                break;
            case nameof(TopicDeclaration.ReplicationFactor):
                Bind(options, child, short.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var replication), () => topic.ReplicationFactor = replication, "a whole number up to 32767");
                break;
            case nameof(TopicDeclaration.MinInsyncReplicas):
                Bind(options, child, int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var minInsync), () => topic.MinInsyncReplicas = minInsync, "a whole number");
                break;
            case nameof(TopicDeclaration.RetentionMs):
                Bind(options, child, long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var retention), () => topic.RetentionMs = retention, "a whole number of milliseconds, or -1 for no limit");
                break;
            default:
                Bind(options, child, TopicCleanupPolicies.TryParse(text, out var cleanup), () => topic.CleanupPolicy = cleanup, TopicCleanupPolicies.Expected);
                break;
        }
    }

    private static string? Match(string key, string[] names) =>
        names.FirstOrDefault(name => string.Equals(name, key, StringComparison.OrdinalIgnoreCase));

    private static bool NotSingleValue(KafkaOptions options, IConfigurationSection child)
    {
        if (child.Value is null && child.GetChildren().Any())
        {
            options.BindingIssues.Add(KafkaConfigurationIssue.Error(child.Path, $"`{child.Path}` must be a single value, not a section."));
            return true;
        }

        return false;
    }

    private static void BindFlag(KafkaOptions options, IConfigurationSection child, Action<bool> set)
    {
        switch (child.Value!.Trim().ToUpperInvariant())
        {
            case "TRUE" or "1":
                set(true);
                break;
            case "FALSE" or "0":
                set(false);
                break;
            case "":
                break;
            default:
                Report(options, child, "true or false");
                break;
        }
    }

    private static void Bind(KafkaOptions options, IConfigurationSection child, bool parsed, Action set, string expected)
    {
        if (parsed)
        {
            set();
        }
        else
        {
            Report(options, child, expected);
        }
    }

    private static void Report(KafkaOptions options, IConfigurationSection child, string expected) =>
        options.BindingIssues.Add(KafkaConfigurationIssue.Error(
            child.Path,
            $"`{child.Path}`=`{KafkaConfigurationBinder.ShowValue(child.Value ?? string.Empty, secret: false)}` cannot be read; expected {expected}."));

    private static void ReportUnknown(KafkaOptions options, IConfigurationSection child, string[] names, string what)
    {
        var nearest = KafkaNameMatcher.FindNearest(child.Key, names.Select(name => (name, name)));
        var hint = nearest is null ? "." : $"; did you mean `{nearest}`?";
        options.BindingIssues.Add(KafkaConfigurationIssue.Error(
            child.Path,
            $"`{child.Path}` is not {what} ({string.Join(", ", names)}){hint}"));
    }
}

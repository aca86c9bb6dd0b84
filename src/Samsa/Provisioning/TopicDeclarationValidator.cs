using System.Globalization;
using Confluent.Kafka;
using Samsa.Configuration;

namespace Samsa.Provisioning;

/// <summary>
/// Checks the topic declarations of <see cref="KafkaOptions"/> with the rest of the options, before anything connects:
/// legal names, ranges, <c>min.insync.replicas</c> within the replication factor (else every <c>acks=all</c> write fails),
/// configs that belong to a typed setting, and a producer <c>acks</c> that makes <c>min.insync.replicas</c> meaningless.
/// </summary>
internal static class TopicDeclarationValidator
{
    /// <summary>Adds every problem with the declarations to <paramref name="issues"/>.</summary>
    public static void Check(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        var profile = KafkaValueResolver.ProfileOf(options);
        var requiringInsync = new List<string>();
        foreach (var (name, declaration) in options.Topics)
        {
            var key = (string property) => $"{KafkaDefaults.SectionName}:{TopicDeclarationBinder.TopicsKey}:{name}:{property}";
            if (declaration is null)
            {
                issues.Add(KafkaConfigurationIssue.Error(key(string.Empty).TrimEnd(':'), $"Topic `{name}` is declared without settings (null)."));
                continue;
            }

            CheckName(name, key(string.Empty).TrimEnd(':'), issues);
            var before = issues.Count(issue => issue.Severity == KafkaConfigurationSeverity.Error);
            CheckRange(declaration.Partitions, 1, key(nameof(TopicDeclaration.Partitions)), "at least 1", issues);
            CheckRange(declaration.ReplicationFactor, 1, key(nameof(TopicDeclaration.ReplicationFactor)), "at least 1", issues);
            CheckRange(declaration.MinInsyncReplicas, 1, key(nameof(TopicDeclaration.MinInsyncReplicas)), "at least 1", issues);
            CheckRange(declaration.RetentionMs, TopicDefaults.Limits.UnlimitedRetentionMs, key(nameof(TopicDeclaration.RetentionMs)), "-1 (no limit) or more", issues);
            if (declaration.CleanupPolicy is { } cleanup && !Enum.IsDefined(cleanup))
            {
                issues.Add(KafkaConfigurationIssue.Error(
                    key(nameof(TopicDeclaration.CleanupPolicy)),
                    $"`{key(nameof(TopicDeclaration.CleanupPolicy))}` is {cleanup}, which is not {TopicCleanupPolicies.Expected}."));
            }

            CheckConfigs(declaration, key, issues);
            if (issues.Count(issue => issue.Severity == KafkaConfigurationSeverity.Error) > before)
            {
                continue;
            }

            var resolved = ResolvedTopic.Resolve(name, declaration, profile);
            CheckInsync(resolved, declaration, profile, key, issues);
            if (resolved.MinInsyncReplicas > 1)
            {
                requiringInsync.Add(name);
            }
        }

        CheckAcks(options, requiringInsync, issues);
    }

    /// <summary>Kafka's rule (<see cref="TopicNameRules"/>).</summary>
    internal static string? NameProblem(string name) => TopicNameRules.Problem(name);

    private static void CheckName(string name, string key, List<KafkaConfigurationIssue> issues)
    {
        if (NameProblem(name) is { } problem)
        {
            issues.Add(KafkaConfigurationIssue.Error(key, $"Topic name `{name}` (`{key}`) {problem}."));
        }
        else if (name.StartsWith("__", StringComparison.Ordinal))
        {
            issues.Add(KafkaConfigurationIssue.Warning(key, $"Topic name `{name}` starts with `__`, which Kafka keeps for its internal topics."));
        }
    }

    private static void CheckRange<T>(T? value, T minimum, string key, string expected, List<KafkaConfigurationIssue> issues)
        where T : struct, IComparable<T>
    {
        if (value is { } actual && actual.CompareTo(minimum) < 0)
        {
            issues.Add(KafkaConfigurationIssue.Error(key, $"`{key}` is {Convert.ToString(actual, CultureInfo.InvariantCulture)}; expected {expected}."));
        }
    }

    private static void CheckConfigs(TopicDeclaration declaration, Func<string, string> key, List<KafkaConfigurationIssue> issues)
    {
        var configsKey = key(nameof(TopicDeclaration.Configs));
        foreach (var (name, value) in declaration.Configs)
        {
            var configKey = $"{configsKey}:{name}";
            if (string.IsNullOrWhiteSpace(name))
            {
                issues.Add(KafkaConfigurationIssue.Error(configsKey, $"`{configsKey}` has a config with an empty name."));
                continue;
            }

            if (TopicConfigNames.NotConfigs.TryGetValue(name, out var property))
            {
                issues.Add(KafkaConfigurationIssue.Error(configKey, $"`{configKey}`: `{name}` is not a topic config; set `{key(property)}` instead."));
                continue;
            }

            if (!TopicConfigNames.Typed.TryGetValue(name, out var typed))
            {
                continue;
            }

            var typedValue = typed switch
            {
                nameof(TopicDeclaration.MinInsyncReplicas) => declaration.MinInsyncReplicas?.ToString(CultureInfo.InvariantCulture),
                nameof(TopicDeclaration.RetentionMs) => declaration.RetentionMs?.ToString(CultureInfo.InvariantCulture),
                _ => declaration.CleanupPolicy is { } policy ? TopicCleanupPolicies.Spell(policy) : null,
            };
            var rawValue = typed switch
            {
                nameof(TopicDeclaration.MinInsyncReplicas) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= 1
                    ? number.ToString(CultureInfo.InvariantCulture) : null,
                nameof(TopicDeclaration.RetentionMs) => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) && ms >= TopicDefaults.Limits.UnlimitedRetentionMs
                    ? ms.ToString(CultureInfo.InvariantCulture) : null,
                _ => TopicCleanupPolicies.TryParse(value, out var policy) ? TopicCleanupPolicies.Spell(policy) : null,
            };
            if (rawValue is null)
            {
                issues.Add(KafkaConfigurationIssue.Error(configKey, $"`{configKey}`=`{value}` is not a valid `{name}`; set `{key(typed)}` instead."));
            }
            else if (typedValue is not null && typedValue != rawValue)
            {
                issues.Add(KafkaConfigurationIssue.Error(
                    configKey, $"`{configKey}`=`{value}` conflicts with `{key(typed)}`=`{typedValue}`; set it in one place."));
            }
        }
    }

    private static void CheckInsync(
        ResolvedTopic resolved, TopicDeclaration declaration, KafkaProfile profile, Func<string, string> key, List<KafkaConfigurationIssue> issues)
    {
        string Origin(object? declared, string property) =>
            declared is null && (property != nameof(TopicDeclaration.MinInsyncReplicas) || !declaration.Configs.ContainsKey(TopicConfigNames.MinInsyncReplicas))
                ? $"the {profile} profile default"
                : $"`{key(property)}`";

        var insyncOrigin = Origin(declaration.MinInsyncReplicas, nameof(TopicDeclaration.MinInsyncReplicas));
        var replicationOrigin = Origin(declaration.ReplicationFactor, nameof(TopicDeclaration.ReplicationFactor));
        if (resolved.MinInsyncReplicas > resolved.ReplicationFactor)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                key(nameof(TopicDeclaration.MinInsyncReplicas)),
                $"Topic `{resolved.Name}`: min.insync.replicas is {resolved.MinInsyncReplicas} (from {insyncOrigin}) but the replication factor is " +
                $"{resolved.ReplicationFactor} (from {replicationOrigin}): every acks=all write would fail with NOT_ENOUGH_REPLICAS. " +
                $"Set `{key(nameof(TopicDeclaration.MinInsyncReplicas))}` to at most {resolved.ReplicationFactor}, or raise `{key(nameof(TopicDeclaration.ReplicationFactor))}`."));
        }
        else if (resolved.ReplicationFactor > 1 && resolved.MinInsyncReplicas == resolved.ReplicationFactor)
        {
            issues.Add(KafkaConfigurationIssue.Warning(
                key(nameof(TopicDeclaration.MinInsyncReplicas)),
                $"Topic `{resolved.Name}`: min.insync.replicas equals the replication factor ({resolved.ReplicationFactor}), so acks=all writes fail " +
                "whenever any one of its brokers is down."));
        }
    }

    private static void CheckAcks(KafkaOptions options, List<string> topics, List<KafkaConfigurationIssue> issues)
    {
        var acks = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.Acks, KafkaClientKinds.Producer);
        if (topics.Count == 0 || acks.Value is not Acks value || value == Acks.All)
        {
            return;
        }

        issues.Add(KafkaConfigurationIssue.Warning(
            KafkaSettingCatalog.Acks.SectionKey,
            $"{KafkaSettingCatalog.Acks.Describe()} is {KafkaSettingCatalog.Acks.Format(value)} (from {acks.Origin}), so the min.insync.replicas of " +
            $"{string.Join(", ", topics.Select(t => $"`{t}`"))} does not protect writes: a write counts once the leader alone has it. Use acks=all."));
    }
}

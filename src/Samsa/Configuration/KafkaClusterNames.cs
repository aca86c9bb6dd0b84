using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Samsa.Configuration;

/// <summary>
/// Where a named cluster's settings live (<c>Kafka:Clusters:&lt;name&gt;</c>) and how its name shows in messages and
/// health check names. Named clusters read no <c>KAFKA_*</c> variables: <c>KAFKA_&lt;NAME&gt;_BOOTSTRAP_SERVERS</c> could
/// not be told apart from a misspelt setting of the default cluster, so their variables are .NET's own
/// <c>Kafka__Clusters__&lt;name&gt;__BootstrapServers</c>, read through the section.
/// </summary>
internal static partial class KafkaClusterNames
{
    /// <summary>The key below <c>Kafka</c> that holds one section per named cluster.</summary>
    public const string ClustersKey = "Clusters";

    /// <summary>The cluster's section: <c>Kafka</c> for the default cluster (null), else <c>Kafka:Clusters:&lt;name&gt;</c>.</summary>
    public static IConfigurationSection Section(IConfiguration configuration, string? cluster)
    {
        var kafka = configuration.GetSection(KafkaDefaults.SectionName);
        return cluster is null ? kafka : kafka.GetSection(ClustersKey).GetSection(cluster);
    }

    /// <summary>"Kafka cluster `billing`: ", the start of every message about a named cluster; empty for the default one.</summary>
    public static string MessagePrefix(string? cluster) => string.IsNullOrEmpty(cluster) ? string.Empty : $"Kafka cluster `{cluster}`: ";

    /// <summary>A health check's name for <paramref name="cluster"/>: <c>kafka</c> stays <c>kafka</c> on the default cluster, is <c>kafka@billing</c> on <c>billing</c>.</summary>
    public static string HealthCheckName(string name, string? cluster) => cluster is null ? name : $"{name}@{cluster}";

    /// <summary>Refuses a name that cannot be a configuration key and an environment variable segment.</summary>
    /// <exception cref="ArgumentException">The name is empty, or has a character other than letters, digits, <c>-</c> and <c>_</c>, or <c>__</c>.</exception>
    public static void Validate(string cluster)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cluster);
        if (!ValidName().IsMatch(cluster) || cluster.Contains("__", StringComparison.Ordinal))
        {
            // ':' would split the configuration path and "__" the environment variable that sets it.
            throw new ArgumentException(
                $"`{cluster}` cannot name a Kafka cluster: use letters, digits, '-' and '_' (not '__'), starting with a letter or digit.", nameof(cluster));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();
}

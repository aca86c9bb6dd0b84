using System.Text.RegularExpressions;

namespace Samsa.Configuration;

/// <summary>
/// The <c>KAFKA_*</c> environment variables Samsa reads, and the ones of other tools that it leaves alone.
/// </summary>
/// <remarks>
/// <para>
/// Every variable Samsa reads is listed in <see cref="Variables"/> (name → configuration key). They are
/// applied after the <c>Kafka</c> configuration section and before the code delegate. Values are parsed
/// exactly as written: <c>KAFKA_BOOTSTRAP_SERVERS=["broker:9092"]</c> (JSON list) or
/// <c>KAFKA_BOOTSTRAP_SERVERS=a:9092,b:9092</c> (comma list), enumerations in librdkafka's spelling
/// (<c>SASL_SSL</c>, <c>SCRAM-SHA-512</c>, <c>snappy</c>, <c>all</c>), numbers and <c>true</c>/<c>false</c>.
/// An empty value counts as unset. Names with <c>__</c> belong to .NET's own environment configuration
/// provider (<c>Kafka__Producer__BatchSize</c>) and reach Samsa through the section instead.
/// </para>
/// <para>Any other variable that starts with <c>KAFKA_</c> is classified:</para>
/// <list type="bullet">
/// <item>a variable of another tool (<see cref="ForeignVariables"/>, <see cref="ForeignPrefixes"/>, Kubernetes
/// service links such as <c>KAFKA_SERVICE_HOST</c> and <c>KAFKA_PORT_9092_TCP</c>): ignored, silently;</item>
/// <item>a near miss of one of Samsa's names (<c>KAFKA_PRODUCER_BATCH_SIZ</c>, <c>kafka_sasl_username</c>,
/// <c>KAFKA_SASL_MECHANISMS</c>): an error that names the variable Samsa reads, because a setting the
/// operator meant to make is being lost;</item>
/// <item>anything else (<c>KAFKA_TOPIC</c>, a broker setting such as <c>KAFKA_LOG_RETENTION_HOURS</c>): a warning at start,
/// with a suggestion when the name looks like one of Samsa's settings without its group
/// (<c>KAFKA_BATCH_SIZE</c> → <c>KAFKA_PRODUCER_BATCH_SIZE</c>). Not an error, since the variable may
/// belong to a tool this list does not know.</item>
/// </list>
/// </remarks>
public static partial class KafkaEnvironmentVariables
{
    /// <summary>
    /// Variables of Apache Kafka's own scripts (<c>kafka-run-class.sh</c>, <c>kafka-server-start.sh</c>), of the
    /// usual Kafka container images, and of Kafka installs (<c>KAFKA_HOME</c>).
    /// </summary>
    public static IReadOnlyList<string> ForeignVariables { get; } =
    [
        // bin/kafka-run-class.sh and bin/kafka-server-start.sh
        "KAFKA_OPTS", "KAFKA_HEAP_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_JMX_OPTS", "KAFKA_DEBUG",

        // installs and images
        "KAFKA_HOME", "KAFKA_VERSION", "KAFKA_CLUSTER_ID",

        // broker settings of the apache/kafka and confluentinc/cp-kafka images (KAFKA_<server property>)
        "KAFKA_NODE_ID", "KAFKA_BROKER_ID", "KAFKA_PROCESS_ROLES", "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "KAFKA_INTER_BROKER_LISTENER_NAME", "KAFKA_CONTROLLER_LISTENER_NAMES",
        "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_ZOOKEEPER_CONNECT", "KAFKA_LOG_DIRS", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS",
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE", "KAFKA_NUM_PARTITIONS", "KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS",
    ];

    /// <summary>Prefixes of other tools' variables: Bitnami's image maps <c>KAFKA_CFG_*</c> to server properties.</summary>
    public static IReadOnlyList<string> ForeignPrefixes { get; } = ["KAFKA_CFG_"];

    /// <summary>Every variable Samsa reads, with the configuration key it sets (<c>Kafka:Producer:BatchSize</c>).</summary>
    public static IReadOnlyDictionary<string, string> Variables { get; } =
        KafkaSettingCatalog.All.ToDictionary(setting => setting.EnvironmentVariable, setting => setting.SectionKey, StringComparer.Ordinal);

    /// <summary>True for a variable of another tool, which Samsa ignores without a word.</summary>
    public static bool IsForeign(string name) =>
        ForeignVariables.Contains(name, StringComparer.Ordinal)
        || ForeignPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))
        || KubernetesServiceLink().IsMatch(name);

    /// <summary>What Samsa does with a variable.</summary>
    internal static (KafkaVariableKind Kind, KafkaSetting? Setting) Classify(string name)
    {
        if (!name.StartsWith(KafkaDefaults.EnvironmentVariablePrefix, StringComparison.OrdinalIgnoreCase) || name.Contains("__", StringComparison.Ordinal))
        {
            return (KafkaVariableKind.NotKafka, null);
        }

        var ours = KafkaSettingCatalog.All.FirstOrDefault(setting => setting.EnvironmentVariable == name);
        if (ours is not null)
        {
            return (KafkaVariableKind.Ours, ours);
        }

        if (IsForeign(name))
        {
            return (KafkaVariableKind.Foreign, null);
        }

        var tail = Tail(name);
        var near = KafkaNameMatcher.FindNearest(tail, KafkaSettingCatalog.All.Select(setting => (Tail(setting.EnvironmentVariable), setting)));
        if (near is not null)
        {
            return (KafkaVariableKind.NearMiss, near);
        }

        return (KafkaVariableKind.Unknown, LooseMatch(tail));
    }

    private static string Tail(string name) => KafkaNameMatcher.Normalize(name[KafkaDefaults.EnvironmentVariablePrefix.Length..]);

    /// <summary>A setting the unknown name probably meant: its group left out, or its librdkafka or foreign-client name used.</summary>
    private static KafkaSetting? LooseMatch(string tail)
    {
        if (tail.Length == 0)
        {
            return null;
        }

        var foreign = KafkaForeignPropertyNames.Lookup(tail);
        return KafkaSettingCatalog.All.FirstOrDefault(setting =>
            Tail(setting.EnvironmentVariable).EndsWith(tail, StringComparison.Ordinal)
            || setting.EquivalentNames.Any(lib => KafkaNameMatcher.Normalize(lib) == tail)
            || (foreign is not null && setting.EquivalentNames.Contains(foreign.Value.Librdkafka, StringComparer.Ordinal)));
    }

    // Kubernetes injects <SERVICE>_SERVICE_HOST, <SERVICE>_SERVICE_PORT[_<NAME>], <SERVICE>_PORT and
    // <SERVICE>_PORT_<n>_<PROTO>[_PROTO|_PORT|_ADDR] for every service in the namespace; a service named kafka or kafka-* gives KAFKA_*.
    [GeneratedRegex("^KAFKA(_[A-Z0-9_]+?)?_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex KubernetesServiceLink();
}

/// <summary>What Samsa does with an environment variable.</summary>
internal enum KafkaVariableKind
{
    /// <summary>Does not start with <c>KAFKA_</c>, or uses the <c>__</c> hierarchy of .NET's provider.</summary>
    NotKafka,

    /// <summary>Read by Samsa.</summary>
    Ours,

    /// <summary>Another tool's; ignored.</summary>
    Foreign,

    /// <summary>A near miss of one of Samsa's names: an error.</summary>
    NearMiss,

    /// <summary>Unknown: a warning.</summary>
    Unknown,
}

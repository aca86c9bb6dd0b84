using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Samsa.Provisioning;

namespace Samsa.Configuration;

/// <summary>
/// Kafka settings of a Samsa service: connection, security, producer, consumer and admin settings, and raw
/// librdkafka properties. Bound in layers: the <c>Kafka</c> configuration section, then the <c>KAFKA_*</c>
/// environment variables (see <see cref="KafkaEnvironmentVariables"/>), then the code delegate.
/// </summary>
/// <remarks>
/// A setting left <see langword="null"/> takes its <see cref="Profile"/> default (<see cref="KafkaDefaults"/>) or,
/// where the profile has none, librdkafka's. Build client configurations with <see cref="KafkaClientConfigFactory"/>.
/// </remarks>
public sealed class KafkaOptions
{
    /// <summary>Which defaults fill unset settings. Null: decided by the host environment (see <see cref="KafkaProfile"/>).</summary>
    public KafkaProfile? Profile { get; set; }

    /// <summary>
    /// <c>bootstrap.servers</c>: <c>host:port</c> entries. <c>KAFKA_BOOTSTRAP_SERVERS</c> takes a JSON list
    /// (<c>["broker:9092"]</c>) or a comma list (<c>a:9092,b:9092</c>); the section takes either form or an array.
    /// </summary>
    public IList<string> BootstrapServers { get; set; } = [];

    /// <summary><c>client.id</c>. Defaults to the host's application name.</summary>
    public string? ClientId { get; set; }

    /// <summary><c>security.protocol</c>: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.</summary>
    public SecurityProtocol? SecurityProtocol { get; set; }

    /// <summary><c>sasl.mechanism</c>: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, GSSAPI or OAUTHBEARER.</summary>
    public SaslMechanism? SaslMechanism { get; set; }

    /// <summary><c>sasl.username</c>.</summary>
    public string? SaslUsername { get; set; }

    /// <summary><c>sasl.password</c>. Printed as <c>***</c>.</summary>
    public string? SaslPassword { get; set; }

    /// <summary><c>ssl.ca.location</c>: a PEM file of CA certificates, a directory, or <c>probe</c>.</summary>
    public string? SslCaLocation { get; set; }

    /// <summary><c>ssl.certificate.location</c>: the client certificate (PEM), for mutual TLS.</summary>
    public string? SslCertificateLocation { get; set; }

    /// <summary><c>ssl.key.location</c>: the client's private key (PEM), for mutual TLS.</summary>
    public string? SslKeyLocation { get; set; }

    /// <summary><c>ssl.key.password</c>: the password of an encrypted private key. Printed as <c>***</c>.</summary>
    public string? SslKeyPassword { get; set; }

    /// <summary>
    /// Explicit opt-in to PLAINTEXT or SASL_PLAINTEXT in the Production environment or profile, which is an error otherwise.
    /// </summary>
    public bool AllowPlaintextInProduction { get; set; }

    /// <summary>Certificates that expire within this many days are reported as a warning.</summary>
    [KafkaRange(0, KafkaDefaults.Limits.MaxCertificateExpiryWarningDays)]
    public int CertificateExpiryWarningDays { get; set; } = KafkaDefaults.CertificateExpiryWarningDays;

    /// <summary>
    /// <c>statistics.interval.ms</c>: how often every client Samsa builds reports librdkafka's statistics, which become the
    /// <c>samsa.client.*</c> metrics (broker round trip, request queues, transmit errors, fetch state). Unset or 0: off.
    /// </summary>
    [KafkaRange(0, KafkaDefaults.Limits.MaxStatisticsIntervalMs)]
    public int? StatisticsIntervalMs { get; set; }

    /// <summary>Producer settings.</summary>
    [ValidateObjectMembers]
    public KafkaProducerOptions Producer { get; set; } = new();

    /// <summary>Consumer settings.</summary>
    [ValidateObjectMembers]
    public KafkaConsumerOptions Consumer { get; set; } = new();

    /// <summary>Admin client settings.</summary>
    public KafkaAdminOptions Admin { get; set; } = new();

    /// <summary>
    /// Raw librdkafka properties for every client (producer, consumer and admin), by librdkafka name
    /// (<c>retry.backoff.ms</c>). Each name and value is checked against the loaded librdkafka at start.
    /// They override profile defaults; setting one that is also set through a typed property to another value is an error.
    /// </summary>
    public IDictionary<string, string> Properties { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Topics the service needs, by name (<c>Kafka:Topics:&lt;name&gt;</c>, or <c>AddTopic</c> in code). They are created
    /// when missing and checked when present, at start-up, as <see cref="Provisioning"/> says.
    /// </summary>
    public IDictionary<string, TopicDeclaration> Topics { get; set; } = new Dictionary<string, TopicDeclaration>(StringComparer.Ordinal);

    /// <summary>How <see cref="Topics"/> are provisioned (<c>Kafka:Provisioning</c>).</summary>
    public ProvisioningOptions Provisioning { get; set; } = new();

    /// <summary>What the service's principal must be allowed on the cluster, declared by its consumers and publisher; checked at start-up.</summary>
    internal List<Startup.KafkaAccessRequirement> AccessRequirements { get; } = [];

    /// <summary>Problems found while binding the section and the environment, reported by the validator.</summary>
    internal List<KafkaConfigurationIssue> BindingIssues { get; } = [];

    /// <summary>The host environment's name (Development, Production…), when known.</summary>
    internal string? HostEnvironmentName { get; set; }
}

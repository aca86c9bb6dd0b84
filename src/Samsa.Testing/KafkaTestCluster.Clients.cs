using Confluent.Kafka;

namespace Samsa.Testing;

/// <summary>Client settings that point Confluent.Kafka, Samsa or any configuration-driven service at the cluster.</summary>
public sealed partial class KafkaTestCluster
{
    /// <summary>Settings every client needs: bootstrap servers and <see cref="ClientSecurity"/>.</summary>
    public ClientConfig ClientConfig() => ClientSecurity.ApplyTo(new ClientConfig { BootstrapServers = BootstrapServers });

    /// <summary>
    /// A producer config for the cluster: acks=all, a short linger and timeouts that fail a test in
    /// seconds rather than minutes. <paramref name="configure"/> changes anything.
    /// </summary>
    public ProducerConfig ProducerConfig(Action<ProducerConfig>? configure = null)
    {
        var config = ClientSecurity.ApplyTo(new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            Acks = Acks.All,
            LingerMs = 1,
            MessageTimeoutMs = 30_000,
            SocketTimeoutMs = 10_000,
        });
        configure?.Invoke(config);
        return config;
    }

    /// <summary>
    /// A consumer config for the cluster: manual commits, reading from the earliest offset, and a
    /// 50 ms fetch wait so tests see records at once. <paramref name="groupId"/> null: a unique group.
    /// </summary>
    public ConsumerConfig ConsumerConfig(string? groupId = null, Action<ConsumerConfig>? configure = null)
    {
        var config = ClientSecurity.ApplyTo(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = groupId ?? UniqueName("group"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 50,
            SocketTimeoutMs = 10_000,
        });
        configure?.Invoke(config);
        return config;
    }

    /// <summary>An admin client config for the cluster.</summary>
    public AdminClientConfig AdminConfig(Action<AdminClientConfig>? configure = null)
    {
        var config = ClientSecurity.ApplyTo(new AdminClientConfig { BootstrapServers = BootstrapServers });
        configure?.Invoke(config);
        return config;
    }

    /// <summary>
    /// Configuration keys that point a service at the cluster, for <c>IConfiguration</c>
    /// (<c>AddInMemoryCollection</c>, <c>UseSetting</c>): Samsa's <c>Kafka:*</c> settings (which
    /// <c>AddSamsaKafka</c> binds) and <c>ConnectionStrings:kafka</c> (Aspire's convention) with the
    /// bootstrap servers, for services that read those.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ConfigurationSettings()
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Kafka:BootstrapServers"] = BootstrapServers,
            ["Kafka:SecurityProtocol"] = ProtocolName(ClientSecurity.Protocol),
            ["ConnectionStrings:kafka"] = BootstrapServers,
        };
        if (ClientSecurity.SaslMechanism is { } mechanism)
        {
            settings["Kafka:SaslMechanism"] = MechanismName(mechanism);
            settings["Kafka:SaslUsername"] = ClientSecurity.SaslUsername;
            settings["Kafka:SaslPassword"] = ClientSecurity.SaslPassword;
        }

        if (ClientSecurity.CaCertificatePath is { } ca)
        {
            settings["Kafka:SslCaLocation"] = ca;
        }

        return settings;
    }

    /// <summary>
    /// The same settings as environment variables (<c>KAFKA_BOOTSTRAP_SERVERS</c>, <c>KAFKA_SECURITY_PROTOCOL</c> ...),
    /// for a service started as a separate process.
    /// </summary>
    public IReadOnlyDictionary<string, string?> EnvironmentVariables()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = BootstrapServers,
            ["KAFKA_SECURITY_PROTOCOL"] = ProtocolName(ClientSecurity.Protocol),
        };
        if (ClientSecurity.SaslMechanism is { } mechanism)
        {
            variables["KAFKA_SASL_MECHANISM"] = MechanismName(mechanism);
            variables["KAFKA_SASL_USERNAME"] = ClientSecurity.SaslUsername;
            variables["KAFKA_SASL_PASSWORD"] = ClientSecurity.SaslPassword;
        }

        if (ClientSecurity.CaCertificatePath is { } ca)
        {
            variables["KAFKA_SSL_CA_LOCATION"] = ca;
        }

        return variables;
    }

    private static string ProtocolName(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ssl => "SSL",
        SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        SecurityProtocol.SaslSsl => "SASL_SSL",
        _ => "PLAINTEXT",
    };

    private static string MechanismName(SaslMechanism mechanism) => mechanism switch
    {
        SaslMechanism.Plain => "PLAIN",
        SaslMechanism.ScramSha256 => "SCRAM-SHA-256",
        _ => "SCRAM-SHA-512",
    };
}

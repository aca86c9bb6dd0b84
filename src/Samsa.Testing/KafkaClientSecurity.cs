using Confluent.Kafka;

namespace Samsa.Testing;

/// <summary>
/// What a client needs to connect to a <see cref="KafkaTestCluster"/>: the security protocol, the SASL
/// login and the CA to trust. <see cref="ApplyTo"/> puts them into any Confluent.Kafka config.
/// </summary>
public sealed record KafkaClientSecurity
{
    /// <summary><c>security.protocol</c>.</summary>
    public required SecurityProtocol Protocol { get; init; }

    /// <summary><c>sasl.mechanism</c>; null without SASL.</summary>
    public SaslMechanism? SaslMechanism { get; init; }

    /// <summary><c>sasl.username</c>; null without SASL.</summary>
    public string? SaslUsername { get; init; }

    /// <summary><c>sasl.password</c>; null without SASL.</summary>
    public string? SaslPassword { get; init; }

    /// <summary>A PEM file with the cluster's CA certificate, for <c>ssl.ca.location</c>; null without TLS.</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>The cluster's CA certificate in PEM, for <c>ssl.ca.pem</c> or a .NET trust store; null without TLS.</summary>
    public string? CaCertificatePem { get; init; }

    /// <summary>Sets these settings on <paramref name="config"/> and returns it.</summary>
    public T ApplyTo<T>(T config)
        where T : ClientConfig
    {
        ArgumentNullException.ThrowIfNull(config);
        config.SecurityProtocol = Protocol;
        if (SaslMechanism is { } mechanism)
        {
            config.SaslMechanism = mechanism;
            config.SaslUsername = SaslUsername;
            config.SaslPassword = SaslPassword;
        }

        if (CaCertificatePath is not null)
        {
            config.SslCaLocation = CaCertificatePath;
        }

        return config;
    }
}

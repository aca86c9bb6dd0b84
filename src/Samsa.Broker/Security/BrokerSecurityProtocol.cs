namespace Samsa.Broker.Security;

/// <summary>The security protocol of the broker's listeners (Kafka's <c>listener.security.protocol.map</c> values).</summary>
public enum BrokerSecurityProtocol
{
    /// <summary><c>PLAINTEXT</c>: no TLS, no authentication.</summary>
    Plaintext,

    /// <summary><c>SSL</c>: TLS; clients are anonymous unless they present a certificate.</summary>
    Ssl,

    /// <summary><c>SASL_PLAINTEXT</c>: SASL authentication without TLS.</summary>
    SaslPlaintext,

    /// <summary><c>SASL_SSL</c>: SASL authentication inside TLS.</summary>
    SaslSsl,
}

/// <summary>Kafka's names of <see cref="BrokerSecurityProtocol"/> values (<c>SASL_SSL</c> ...).</summary>
internal static class BrokerSecurityProtocolNames
{
    private static readonly (BrokerSecurityProtocol Protocol, string Name)[] s_names =
    [
        (BrokerSecurityProtocol.Plaintext, "PLAINTEXT"),
        (BrokerSecurityProtocol.Ssl, "SSL"),
        (BrokerSecurityProtocol.SaslPlaintext, "SASL_PLAINTEXT"),
        (BrokerSecurityProtocol.SaslSsl, "SASL_SSL"),
    ];

    /// <summary>Every name, in the order Kafka documents them.</summary>
    public static IReadOnlyList<string> All { get; } = s_names.Select(n => n.Name).ToArray();

    /// <summary>Kafka's name of <paramref name="protocol"/>.</summary>
    public static string ToKafkaName(this BrokerSecurityProtocol protocol) =>
        s_names.FirstOrDefault(n => n.Protocol == protocol).Name ?? protocol.ToString();

    /// <summary>Parses a Kafka name such as <c>SASL_SSL</c> (case-insensitive, as Kafka's own parser).</summary>
    public static bool TryParse(string? name, out BrokerSecurityProtocol protocol)
    {
        foreach (var (candidate, candidateName) in s_names)
        {
            if (string.Equals(candidateName, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                protocol = candidate;
                return true;
            }
        }

        protocol = default;
        return false;
    }
}

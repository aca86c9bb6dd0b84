namespace Samsa.Broker.Security;

/// <summary>The SASL mechanisms Samsa.Broker serves, by their IANA names (what clients send in SaslHandshake).</summary>
public static class SaslMechanismNames
{
    /// <c>PLAIN</c>: user name and password sent as they are (use it over TLS).
    public const string Plain = "PLAIN";
    /// <c>SCRAM-SHA-256</c> (RFC 5802, RFC 7677).
    public const string ScramSha256 = "SCRAM-SHA-256";
    /// <c>SCRAM-SHA-512</c>.
    public const string ScramSha512 = "SCRAM-SHA-512";

    /// <summary>Mechanisms Kafka has that Samsa.Broker does not serve (see Handlers/UNSUPPORTED.md).</summary>
    public static IReadOnlyList<string> NotSupported { get; } = ["GSSAPI", "OAUTHBEARER"];

    /// <summary>Every supported mechanism.</summary>
    public static IReadOnlyList<string> Supported { get; } = [Plain, ScramSha256, ScramSha512];

    /// <summary>True for a supported name. Mechanism names are case-sensitive, as in Kafka.</summary>
    public static bool IsSupported(string? name) => name is not null && Supported.Contains(name, StringComparer.Ordinal);
}

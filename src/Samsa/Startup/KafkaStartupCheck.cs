namespace Samsa.Startup;

/// <summary>The checks of the start-up gate, in the order they run.</summary>
public enum KafkaStartupCheck
{
    /// <summary>The bootstrap list is well formed.</summary>
    BootstrapAddress,

    /// <summary>Every bootstrap host name resolves.</summary>
    DnsResolution,

    /// <summary>Every bootstrap address accepts a TCP connection.</summary>
    TcpConnect,

    /// <summary>With SSL or SASL_SSL: every bootstrap broker completes a TLS handshake with a certificate that is trusted, for its name, and in date.</summary>
    TlsHandshake,

    /// <summary>The cluster accepts the client's SASL login and lets it describe the cluster.</summary>
    Authentication,

    /// <summary>The cluster answers a metadata request.</summary>
    ClusterMetadata,

    /// <summary>The declared topics exist (or were created) as declared.</summary>
    TopicProvisioning,

    /// <summary>The service's principal may do what its consumers and publisher need on their topics and groups.</summary>
    Authorization,
}

/// <summary>How the checks are named in messages.</summary>
internal static class KafkaStartupChecks
{
    public static string Describe(KafkaStartupCheck check) => check switch
    {
        KafkaStartupCheck.BootstrapAddress => "bootstrap address",
        KafkaStartupCheck.DnsResolution => "DNS resolution",
        KafkaStartupCheck.TcpConnect => "TCP connect",
        KafkaStartupCheck.TlsHandshake => "TLS handshake",
        KafkaStartupCheck.Authentication => "authentication",
        KafkaStartupCheck.ClusterMetadata => "cluster metadata",
        KafkaStartupCheck.TopicProvisioning => "topic provisioning",
        KafkaStartupCheck.Authorization => "authorization",
        _ => check.ToString(),
    };
}

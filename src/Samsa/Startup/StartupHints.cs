using Confluent.Kafka;
using Samsa.Configuration;
using Samsa.DependencyInjection;

namespace Samsa.Startup;

/// <summary>
/// The "what to change" parts of start-up messages: which setting (key and variable), its current value, and
/// where that value came from.
/// </summary>
internal sealed class StartupHints(KafkaOptions options, AdminClientConfig config)
{
    /// <summary>The bootstrap list the clients use.</summary>
    public string BootstrapServers => config.BootstrapServers ?? string.Empty;

    /// <summary>"`Kafka:BootstrapServers` (`KAFKA_BOOTSTRAP_SERVERS`), currently `a:9092`".</summary>
    public string BootstrapSetting => $"{Describe(KafkaSettingCatalog.BootstrapServers)}, currently `{BootstrapServers}`";

    /// <summary>"Check `Kafka:BootstrapServers` (`KAFKA_BOOTSTRAP_SERVERS`), currently `a:9092`".</summary>
    public string CheckBootstrap => $"Check {BootstrapSetting}";

    /// <summary>The security protocol in force.</summary>
    public SecurityProtocol Protocol => config.SecurityProtocol ?? SecurityProtocol.Plaintext;

    /// <summary>"`Kafka:SecurityProtocol` (`KAFKA_SECURITY_PROTOCOL`), currently SASL_SSL (from the Production profile default)".</summary>
    public string SecurityProtocolSetting =>
        $"{KafkaSettingCatalog.SecurityProtocol.Describe()}, currently {KafkaSettingCatalog.SecurityProtocol.Format(Protocol)} " +
        $"(from {KafkaValueResolver.Resolve(options, KafkaSettingCatalog.SecurityProtocol, KafkaClientKinds.Admin).Origin})";

    /// <summary>"`Kafka:SslCaLocation` (`KAFKA_SSL_CA_LOCATION`), currently `/etc/kafka/ca.pem`".</summary>
    public string CaSetting => config.SslCaLocation is { Length: > 0 } location
        ? $"{KafkaSettingCatalog.SslCaLocation.Describe()}, currently `{location}`"
        : $"{KafkaSettingCatalog.SslCaLocation.Describe()}, not set, so the system's trusted CAs are used";

    /// <summary>The Kafka principal the cluster sees for a SASL login (<c>User:svc</c>), <c>User:ANONYMOUS</c> without SASL or TLS, else null (a TLS certificate's name).</summary>
    public string? Principal => Protocol switch
    {
        SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl when config.SaslUsername is { Length: > 0 } user => "User:" + user,
        SecurityProtocol.Plaintext => "User:ANONYMOUS",
        _ => null,
    };

    /// <summary>How the client identifies itself: its SASL login, or its security protocol.</summary>
    public string Identity => Protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl
        ? SaslIdentity
        : $"security.protocol {KafkaSettingCatalog.SecurityProtocol.Format(Protocol)}";

    /// <summary>"the SASL user `svc` (SCRAM-SHA-512)".</summary>
    public string SaslIdentity =>
        $"{(config.SaslMechanism is { } mechanism ? KafkaSettingCatalog.SaslMechanism.Format(mechanism) : "SASL")} login as `{config.SaslUsername}`";

    /// <summary>"Check `Kafka:SaslUsername` (…), `Kafka:SaslPassword` (…) and `Kafka:SaslMechanism` (…), currently SCRAM-SHA-512".</summary>
    public string CheckSasl =>
        $"Check {KafkaSettingCatalog.SaslUsername.Describe()} (currently `{config.SaslUsername}`), {KafkaSettingCatalog.SaslPassword.Describe()} and " +
        $"{KafkaSettingCatalog.SaslMechanism.Describe()} (currently {(config.SaslMechanism is { } m ? KafkaSettingCatalog.SaslMechanism.Format(m) : "not set")}): " +
        "the cluster must have this user, with this password, for this mechanism";

    /// <summary>The time limit of a step, with its setting.</summary>
    public static string Limit(TimeSpan limit, string setting) =>
        $"{limit.TotalSeconds:0.###} s (`{KafkaDefaults.SectionName}:{SamsaKafkaSettings.SectionKey}:{setting}`)";

    private string Describe(KafkaSetting setting)
    {
        var resolved = KafkaValueResolver.Resolve(options, setting, KafkaClientKinds.Admin);
        return resolved.Source == KafkaValueSource.Property ? resolved.Origin : setting.Describe();
    }
}

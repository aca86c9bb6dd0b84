using System.Globalization;
using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>The typed Kafka settings Samsa exposes. One row per setting; see <see cref="KafkaSetting"/>.</summary>
internal static class KafkaSettingCatalog
{
    public static readonly KafkaSetting Profile = Choice(
        "Profile", "KAFKA_PROFILE", null, KafkaClientKinds.None, KafkaChoices.Profiles, o => o.Profile, (o, v) => o.Profile = v, null);

    public static readonly KafkaSetting BootstrapServers = new()
    {
        Path = "BootstrapServers",
        EnvironmentVariable = "KAFKA_BOOTSTRAP_SERVERS",
        LibrdkafkaName = "bootstrap.servers",
        Aliases = ["metadata.broker.list"],
        Clients = KafkaClientKinds.All,
        Expected = "a JSON list such as [\"broker:9092\"] or a comma list such as broker1:9092,broker2:9092",
        Get = o => o.BootstrapServers.Count == 0 ? null : o.BootstrapServers,
        Set = (o, v) => o.BootstrapServers = (IList<string>)v,
        Parse = raw => KafkaBootstrapServers.TryParseList(raw, out var list, out var error) ? (list, null) : (null, error),
        Apply = (c, v) => c.BootstrapServers = string.Join(',', (IEnumerable<string>)v),
        Format = v => string.Join(',', (IEnumerable<string>)v),
    };

    public static readonly KafkaSetting ClientId = Text(
        "ClientId", "KAFKA_CLIENT_ID", "client.id", KafkaClientKinds.All, o => o.ClientId, (o, v) => o.ClientId = v, (c, v) => c.ClientId = v);

    public static readonly KafkaSetting SecurityProtocol = Choice(
        "SecurityProtocol", "KAFKA_SECURITY_PROTOCOL", "security.protocol", KafkaClientKinds.All, KafkaChoices.SecurityProtocols,
        o => o.SecurityProtocol, (o, v) => o.SecurityProtocol = v, (c, v) => c.SecurityProtocol = v);

    public static readonly KafkaSetting SaslMechanism = Choice(
        "SaslMechanism", "KAFKA_SASL_MECHANISM", "sasl.mechanism", KafkaClientKinds.All, KafkaChoices.SaslMechanisms,
        o => o.SaslMechanism, (o, v) => o.SaslMechanism = v, (c, v) => c.SaslMechanism = v, "sasl.mechanisms");

    public static readonly KafkaSetting SaslUsername = Text(
        "SaslUsername", "KAFKA_SASL_USERNAME", "sasl.username", KafkaClientKinds.All, o => o.SaslUsername, (o, v) => o.SaslUsername = v, (c, v) => c.SaslUsername = v);

    public static readonly KafkaSetting SaslPassword = Text(
        "SaslPassword", "KAFKA_SASL_PASSWORD", "sasl.password", KafkaClientKinds.All, o => o.SaslPassword, (o, v) => o.SaslPassword = v, (c, v) => c.SaslPassword = v, secret: true);

    public static readonly KafkaSetting SslCaLocation = Text(
        "SslCaLocation", "KAFKA_SSL_CA_LOCATION", "ssl.ca.location", KafkaClientKinds.All, o => o.SslCaLocation, (o, v) => o.SslCaLocation = v, (c, v) => c.SslCaLocation = v);

    public static readonly KafkaSetting SslCertificateLocation = Text(
        "SslCertificateLocation", "KAFKA_SSL_CERTIFICATE_LOCATION", "ssl.certificate.location", KafkaClientKinds.All,
        o => o.SslCertificateLocation, (o, v) => o.SslCertificateLocation = v, (c, v) => c.SslCertificateLocation = v);

    public static readonly KafkaSetting SslKeyLocation = Text(
        "SslKeyLocation", "KAFKA_SSL_KEY_LOCATION", "ssl.key.location", KafkaClientKinds.All, o => o.SslKeyLocation, (o, v) => o.SslKeyLocation = v, (c, v) => c.SslKeyLocation = v);

    public static readonly KafkaSetting SslKeyPassword = Text(
        "SslKeyPassword", "KAFKA_SSL_KEY_PASSWORD", "ssl.key.password", KafkaClientKinds.All,
        o => o.SslKeyPassword, (o, v) => o.SslKeyPassword = v, (c, v) => c.SslKeyPassword = v, secret: true);

    public static readonly KafkaSetting AllowPlaintextInProduction = Flag(
        "AllowPlaintextInProduction", "KAFKA_ALLOW_PLAINTEXT_IN_PRODUCTION", null, KafkaClientKinds.None,
        o => o.AllowPlaintextInProduction ? true : null, (o, v) => o.AllowPlaintextInProduction = v, null);

    public static readonly KafkaSetting CertificateExpiryWarningDays = Number(
        "CertificateExpiryWarningDays", "KAFKA_CERTIFICATE_EXPIRY_WARNING_DAYS", null, KafkaClientKinds.None,
        o => o.CertificateExpiryWarningDays, (o, v) => o.CertificateExpiryWarningDays = v, null);

    public static readonly KafkaSetting StatisticsIntervalMs = Number(
        "StatisticsIntervalMs", "KAFKA_STATISTICS_INTERVAL_MS", "statistics.interval.ms", KafkaClientKinds.All,
        o => o.StatisticsIntervalMs, (o, v) => o.StatisticsIntervalMs = v, (c, v) => c.StatisticsIntervalMs = v);

    public static readonly KafkaSetting Acks = Choice(
        "Producer:Acks", "KAFKA_PRODUCER_ACKS", "acks", KafkaClientKinds.Producer, KafkaChoices.Acks,
        o => o.Producer.Acks, (o, v) => o.Producer.Acks = v, (c, v) => c.Acks = v, "request.required.acks");

    public static readonly KafkaSetting EnableIdempotence = Flag(
        "Producer:EnableIdempotence", "KAFKA_PRODUCER_ENABLE_IDEMPOTENCE", "enable.idempotence", KafkaClientKinds.Producer,
        o => o.Producer.EnableIdempotence, (o, v) => o.Producer.EnableIdempotence = v, (c, v) => ((ProducerConfig)c).EnableIdempotence = v);

    public static readonly KafkaSetting CompressionType = Choice(
        "Producer:CompressionType", "KAFKA_PRODUCER_COMPRESSION_TYPE", "compression.type", KafkaClientKinds.Producer, KafkaChoices.CompressionTypes,
        o => o.Producer.CompressionType, (o, v) => o.Producer.CompressionType = v, (c, v) => ((ProducerConfig)c).CompressionType = v, "compression.codec");

    public static readonly KafkaSetting LingerMs = Number(
        "Producer:LingerMs", "KAFKA_PRODUCER_LINGER_MS", "linger.ms", KafkaClientKinds.Producer,
        o => o.Producer.LingerMs, (o, v) => o.Producer.LingerMs = v, (c, v) => ((ProducerConfig)c).LingerMs = v, "queue.buffering.max.ms");

    public static readonly KafkaSetting BatchSize = Number(
        "Producer:BatchSize", "KAFKA_PRODUCER_BATCH_SIZE", "batch.size", KafkaClientKinds.Producer,
        o => o.Producer.BatchSize, (o, v) => o.Producer.BatchSize = v, (c, v) => ((ProducerConfig)c).BatchSize = v);

    public static readonly KafkaSetting DeliveryTimeoutMs = Number(
        "Producer:DeliveryTimeoutMs", "KAFKA_PRODUCER_DELIVERY_TIMEOUT_MS", "message.timeout.ms", KafkaClientKinds.Producer,
        o => o.Producer.DeliveryTimeoutMs, (o, v) => o.Producer.DeliveryTimeoutMs = v, (c, v) => ((ProducerConfig)c).MessageTimeoutMs = v, "delivery.timeout.ms");

    public static readonly KafkaSetting RequestTimeoutMs = Number(
        "Producer:RequestTimeoutMs", "KAFKA_PRODUCER_REQUEST_TIMEOUT_MS", "request.timeout.ms", KafkaClientKinds.Producer,
        o => o.Producer.RequestTimeoutMs, (o, v) => o.Producer.RequestTimeoutMs = v, (c, v) => ((ProducerConfig)c).RequestTimeoutMs = v);

    public static readonly KafkaSetting MessageMaxBytes = Number(
        "Producer:MessageMaxBytes", "KAFKA_PRODUCER_MESSAGE_MAX_BYTES", "message.max.bytes", KafkaClientKinds.Producer,
        o => o.Producer.MessageMaxBytes, (o, v) => o.Producer.MessageMaxBytes = v, (c, v) => c.MessageMaxBytes = v);

    public static readonly KafkaSetting TransactionalId = Text(
        "Producer:TransactionalId", "KAFKA_PRODUCER_TRANSACTIONAL_ID", "transactional.id", KafkaClientKinds.Producer,
        o => o.Producer.TransactionalId, (o, v) => o.Producer.TransactionalId = v, (c, v) => ((ProducerConfig)c).TransactionalId = v);

    public static readonly KafkaSetting GroupId = Text(
        "Consumer:GroupId", "KAFKA_CONSUMER_GROUP_ID", "group.id", KafkaClientKinds.Consumer,
        o => o.Consumer.GroupId, (o, v) => o.Consumer.GroupId = v, (c, v) => ((ConsumerConfig)c).GroupId = v);

    public static readonly KafkaSetting AutoOffsetReset = Choice(
        "Consumer:AutoOffsetReset", "KAFKA_CONSUMER_AUTO_OFFSET_RESET", "auto.offset.reset", KafkaClientKinds.Consumer, KafkaChoices.AutoOffsetResets,
        o => o.Consumer.AutoOffsetReset, (o, v) => o.Consumer.AutoOffsetReset = v, (c, v) => ((ConsumerConfig)c).AutoOffsetReset = v);

    public static readonly KafkaSetting EnableAutoCommit = Flag(
        "Consumer:EnableAutoCommit", "KAFKA_CONSUMER_ENABLE_AUTO_COMMIT", "enable.auto.commit", KafkaClientKinds.Consumer,
        o => o.Consumer.EnableAutoCommit, (o, v) => o.Consumer.EnableAutoCommit = v, (c, v) => ((ConsumerConfig)c).EnableAutoCommit = v);

    public static readonly KafkaSetting SessionTimeoutMs = Number(
        "Consumer:SessionTimeoutMs", "KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "session.timeout.ms", KafkaClientKinds.Consumer,
        o => o.Consumer.SessionTimeoutMs, (o, v) => o.Consumer.SessionTimeoutMs = v, (c, v) => ((ConsumerConfig)c).SessionTimeoutMs = v);

    public static readonly KafkaSetting HeartbeatIntervalMs = Number(
        "Consumer:HeartbeatIntervalMs", "KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS", "heartbeat.interval.ms", KafkaClientKinds.Consumer,
        o => o.Consumer.HeartbeatIntervalMs, (o, v) => o.Consumer.HeartbeatIntervalMs = v, (c, v) => ((ConsumerConfig)c).HeartbeatIntervalMs = v);

    public static readonly KafkaSetting MaxPollIntervalMs = Number(
        "Consumer:MaxPollIntervalMs", "KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "max.poll.interval.ms", KafkaClientKinds.Consumer,
        o => o.Consumer.MaxPollIntervalMs, (o, v) => o.Consumer.MaxPollIntervalMs = v, (c, v) => ((ConsumerConfig)c).MaxPollIntervalMs = v);

    public static readonly KafkaSetting FetchMinBytes = Number(
        "Consumer:FetchMinBytes", "KAFKA_CONSUMER_FETCH_MIN_BYTES", "fetch.min.bytes", KafkaClientKinds.Consumer,
        o => o.Consumer.FetchMinBytes, (o, v) => o.Consumer.FetchMinBytes = v, (c, v) => ((ConsumerConfig)c).FetchMinBytes = v);

    public static readonly KafkaSetting FetchMaxBytes = Number(
        "Consumer:FetchMaxBytes", "KAFKA_CONSUMER_FETCH_MAX_BYTES", "fetch.max.bytes", KafkaClientKinds.Consumer,
        o => o.Consumer.FetchMaxBytes, (o, v) => o.Consumer.FetchMaxBytes = v, (c, v) => ((ConsumerConfig)c).FetchMaxBytes = v);

    public static readonly KafkaSetting FetchWaitMaxMs = Number(
        "Consumer:FetchWaitMaxMs", "KAFKA_CONSUMER_FETCH_WAIT_MAX_MS", "fetch.wait.max.ms", KafkaClientKinds.Consumer,
        o => o.Consumer.FetchWaitMaxMs, (o, v) => o.Consumer.FetchWaitMaxMs = v, (c, v) => ((ConsumerConfig)c).FetchWaitMaxMs = v);

    public static readonly KafkaSetting MaxPartitionFetchBytes = Number(
        "Consumer:MaxPartitionFetchBytes", "KAFKA_CONSUMER_MAX_PARTITION_FETCH_BYTES", "max.partition.fetch.bytes", KafkaClientKinds.Consumer,
        o => o.Consumer.MaxPartitionFetchBytes, (o, v) => o.Consumer.MaxPartitionFetchBytes = v, (c, v) => ((ConsumerConfig)c).MaxPartitionFetchBytes = v,
        "fetch.message.max.bytes");

    public static readonly KafkaSetting FetchQueueBackoffMs = Number(
        "Consumer:FetchQueueBackoffMs", "KAFKA_CONSUMER_FETCH_QUEUE_BACKOFF_MS", "fetch.queue.backoff.ms", KafkaClientKinds.Consumer,
        o => o.Consumer.FetchQueueBackoffMs, (o, v) => o.Consumer.FetchQueueBackoffMs = v, (c, v) => ((ConsumerConfig)c).FetchQueueBackoffMs = v);

    public static readonly KafkaSetting IsolationLevel = Choice(
        "Consumer:IsolationLevel", "KAFKA_CONSUMER_ISOLATION_LEVEL", "isolation.level", KafkaClientKinds.Consumer, KafkaChoices.IsolationLevels,
        o => o.Consumer.IsolationLevel, (o, v) => o.Consumer.IsolationLevel = v, (c, v) => ((ConsumerConfig)c).IsolationLevel = v);

    public static readonly KafkaSetting GroupProtocol = Choice(
        "Consumer:GroupProtocol", "KAFKA_CONSUMER_GROUP_PROTOCOL", "group.protocol", KafkaClientKinds.Consumer, KafkaChoices.GroupProtocols,
        o => o.Consumer.GroupProtocol, (o, v) => o.Consumer.GroupProtocol = v, (c, v) => ((ConsumerConfig)c).GroupProtocol = v);

    /// <summary>Every setting, in documentation order.</summary>
    public static IReadOnlyList<KafkaSetting> All { get; } =
    [
        Profile, BootstrapServers, ClientId, SecurityProtocol, SaslMechanism, SaslUsername, SaslPassword,
        SslCaLocation, SslCertificateLocation, SslKeyLocation, SslKeyPassword, AllowPlaintextInProduction, CertificateExpiryWarningDays, StatisticsIntervalMs,
        Acks, EnableIdempotence, CompressionType, LingerMs, BatchSize, DeliveryTimeoutMs, RequestTimeoutMs, MessageMaxBytes, TransactionalId,
        GroupId, GroupProtocol, AutoOffsetReset, EnableAutoCommit, SessionTimeoutMs, HeartbeatIntervalMs, MaxPollIntervalMs,
        FetchMinBytes, FetchMaxBytes, FetchWaitMaxMs, MaxPartitionFetchBytes, FetchQueueBackoffMs, IsolationLevel,
    ];

    /// <summary>The groups below the section that hold settings, and the key of the raw property maps.</summary>
    public const string PropertiesKey = "Properties";

    /// <summary>The setting that owns a librdkafka name (or alias), if any.</summary>
    public static KafkaSetting? ByLibrdkafkaName(string name) =>
        All.FirstOrDefault(setting => setting.EquivalentNames.Contains(name, StringComparer.Ordinal));

    /// <summary>Settings that reach <paramref name="kind"/>.</summary>
    public static IEnumerable<KafkaSetting> For(KafkaClientKinds kind) => All.Where(setting => (setting.Clients & kind) != 0);

    private static KafkaSetting Text(
        string path, string env, string? lib, KafkaClientKinds clients, Func<KafkaOptions, string?> get, Action<KafkaOptions, string> set,
        Action<ClientConfig, string>? apply, bool secret = false) => new()
        {
            Path = path,
            EnvironmentVariable = env,
            LibrdkafkaName = lib,
            Clients = clients,
            IsSecret = secret,
            Expected = "text",
            Get = get,
            Set = (o, v) => set(o, (string)v),
            Parse = raw => (raw, null),
            Apply = apply is null ? null : (c, v) => apply(c, (string)v),
        };

    private static KafkaSetting Number(
        string path, string env, string? lib, KafkaClientKinds clients, Func<KafkaOptions, int?> get, Action<KafkaOptions, int> set,
        Action<ClientConfig, int>? apply, params string[] aliases) => new()
        {
            Path = path,
            EnvironmentVariable = env,
            LibrdkafkaName = lib,
            Aliases = aliases,
            Clients = clients,
            Expected = "a whole number",
            Get = o => get(o),
            Set = (o, v) => set(o, (int)v),
            Parse = raw => int.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? (number, null)
                : (null, "is not a whole number"),
            Apply = apply is null ? null : (c, v) => apply(c, (int)v),
        };

    private static KafkaSetting Flag(
        string path, string env, string? lib, KafkaClientKinds clients, Func<KafkaOptions, bool?> get, Action<KafkaOptions, bool> set,
        Action<ClientConfig, bool>? apply) => new()
        {
            Path = path,
            EnvironmentVariable = env,
            LibrdkafkaName = lib,
            Clients = clients,
            Expected = "true or false",
            Get = o => get(o),
            Set = (o, v) => set(o, (bool)v),
            Parse = raw => raw.Trim().ToUpperInvariant() switch
            {
                "TRUE" or "1" => (true, null),
                "FALSE" or "0" => (false, null),
                _ => (null, "is not true or false"),
            },
            Apply = apply is null ? null : (c, v) => apply(c, (bool)v),
            Format = v => (bool)v ? "true" : "false",
        };

    private static KafkaSetting Choice<T>(
        string path, string env, string? lib, KafkaClientKinds clients, KafkaChoice<T>[] choices, Func<KafkaOptions, T?> get, Action<KafkaOptions, T> set,
        Action<ClientConfig, T>? apply, params string[] aliases)
        where T : struct, Enum => new()
        {
            Path = path,
            EnvironmentVariable = env,
            LibrdkafkaName = lib,
            Aliases = aliases,
            Clients = clients,
            Expected = "one of " + string.Join(", ", choices.Select(c => c.Spelling).Distinct()),
            Get = o => get(o),
            Set = (o, v) => set(o, (T)v),
            Parse = raw => KafkaChoices.TryParse(raw, choices, out var value, out var error) ? (value, null) : (null, error),
            Apply = apply is null ? null : (c, v) => apply(c, (T)v),
            Format = v => KafkaChoices.Spell((T)v, choices),
        };
}

using System.Globalization;
using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>The clients a setting reaches.</summary>
[Flags]
internal enum KafkaClientKinds
{
    None = 0,
    Producer = 1,
    Consumer = 2,
    Admin = 4,
    All = Producer | Consumer | Admin,
}

/// <summary>
/// One typed Kafka setting: its option path, its environment variable, the librdkafka property it sets
/// (with that property's aliases), how to parse it from text and how to write it into a Confluent config.
/// The whole list (<see cref="KafkaSettings.All"/>) drives section binding, environment binding,
/// "did you mean" suggestions, client config building and the variable table.
/// </summary>
internal sealed class KafkaSetting
{
    /// <summary>Path below the <c>Kafka</c> section: <c>Producer:BatchSize</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The <c>KAFKA_*</c> variable.</summary>
    public required string EnvironmentVariable { get; init; }

    /// <summary>The librdkafka property Confluent.Kafka writes for it, or null for Samsa-only settings.</summary>
    public string? LibrdkafkaName { get; init; }

    /// <summary>Other librdkafka names of the same property (<c>delivery.timeout.ms</c> for <c>message.timeout.ms</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The clients it applies to.</summary>
    public KafkaClientKinds Clients { get; init; }

    /// <summary>Masked in every message and printout.</summary>
    public bool IsSecret { get; init; }

    /// <summary>What a valid value looks like, for messages.</summary>
    public required string Expected { get; init; }

    /// <summary>Reads the value; null when unset.</summary>
    public required Func<KafkaOptions, object?> Get { get; init; }

    /// <summary>Stores a parsed value.</summary>
    public required Action<KafkaOptions, object> Set { get; init; }

    /// <summary>Parses text (from the section, the environment or a raw property); null value means invalid.</summary>
    public required Func<string, (object? Value, string? Error)> Parse { get; init; }

    /// <summary>Writes the value into a Confluent config through its typed property.</summary>
    public Action<ClientConfig, object>? Apply { get; init; }

    /// <summary>Shows a value the way librdkafka spells it.</summary>
    public Func<object, string> Format { get; init; } = value => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>Property name: <c>BatchSize</c>.</summary>
    public string Name => Path[(Path.LastIndexOf(':') + 1)..];

    /// <summary>The group (<c>Producer</c>, <c>Consumer</c>) or empty for the root.</summary>
    public string Group => Path.Contains(':', StringComparison.Ordinal) ? Path[..Path.IndexOf(':', StringComparison.Ordinal)] : string.Empty;

    /// <summary>Full configuration key: <c>Kafka:Producer:BatchSize</c>.</summary>
    public string SectionKey => KafkaDefaults.SectionName + ":" + Path;

    /// <summary>The librdkafka name and its aliases.</summary>
    public IEnumerable<string> EquivalentNames => LibrdkafkaName is null ? [] : [LibrdkafkaName, .. Aliases];

    /// <summary>"`Kafka:Producer:BatchSize` (`KAFKA_PRODUCER_BATCH_SIZE`)".</summary>
    public string Describe() => $"`{SectionKey}` (`{EnvironmentVariable}`)";

    /// <summary>A value for messages, masked when secret.</summary>
    public string Show(object value) => IsSecret ? KafkaConfigurationPrinter.Mask : Format(value);

    /// <inheritdoc />
    public override string ToString() => Path;
}

/// <summary>The typed Kafka settings Samsa exposes. One row per setting; see <see cref="KafkaSetting"/>.</summary>
internal static class KafkaSettings
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

/// <summary>A spelling of an enumerated value, the first of each value being librdkafka's.</summary>
internal readonly record struct KafkaChoice<T>(string Spelling, T Value, bool Primary = true)
    where T : struct, Enum;

/// <summary>Accepted spellings of the enumerated settings.</summary>
internal static class KafkaChoices
{
    public static readonly KafkaChoice<KafkaProfile>[] Profiles =
        [new("Development", KafkaProfile.Development), new("Production", KafkaProfile.Production)];

    public static readonly KafkaChoice<SecurityProtocol>[] SecurityProtocols =
    [
        new("PLAINTEXT", SecurityProtocol.Plaintext), new("SSL", SecurityProtocol.Ssl),
        new("SASL_PLAINTEXT", SecurityProtocol.SaslPlaintext), new("SASL_SSL", SecurityProtocol.SaslSsl),
    ];

    public static readonly KafkaChoice<SaslMechanism>[] SaslMechanisms =
    [
        new("PLAIN", SaslMechanism.Plain), new("SCRAM-SHA-256", SaslMechanism.ScramSha256), new("SCRAM-SHA-512", SaslMechanism.ScramSha512),
        new("GSSAPI", SaslMechanism.Gssapi), new("OAUTHBEARER", SaslMechanism.OAuthBearer),
    ];

    public static readonly KafkaChoice<Acks>[] Acks =
    [
        new("all", Confluent.Kafka.Acks.All), new("-1", Confluent.Kafka.Acks.All, false),
        new("1", Confluent.Kafka.Acks.Leader), new("leader", Confluent.Kafka.Acks.Leader, false),
        new("0", Confluent.Kafka.Acks.None), new("none", Confluent.Kafka.Acks.None, false),
    ];

    public static readonly KafkaChoice<CompressionType>[] CompressionTypes =
    [
        new("none", CompressionType.None), new("gzip", CompressionType.Gzip), new("snappy", CompressionType.Snappy),
        new("lz4", CompressionType.Lz4), new("zstd", CompressionType.Zstd),
    ];

    public static readonly KafkaChoice<AutoOffsetReset>[] AutoOffsetResets =
    [
        new("earliest", AutoOffsetReset.Earliest), new("smallest", AutoOffsetReset.Earliest, false), new("beginning", AutoOffsetReset.Earliest, false),
        new("latest", AutoOffsetReset.Latest), new("largest", AutoOffsetReset.Latest, false), new("end", AutoOffsetReset.Latest, false),
        new("error", AutoOffsetReset.Error),
    ];

    public static readonly KafkaChoice<GroupProtocol>[] GroupProtocols =
        [new("classic", GroupProtocol.Classic), new("consumer", GroupProtocol.Consumer)];

    public static readonly KafkaChoice<IsolationLevel>[] IsolationLevels =
        [new("read_committed", IsolationLevel.ReadCommitted), new("read_uncommitted", IsolationLevel.ReadUncommitted)];

    /// <summary>
    /// Matches exactly (ignoring case) first, then with <c>_</c>, <c>-</c> and <c>.</c> ignored, so
    /// <c>SASL_SSL</c>, <c>sasl_ssl</c> and <c>SaslSsl</c> are all accepted.
    /// </summary>
    public static bool TryParse<T>(string raw, KafkaChoice<T>[] choices, out T value, out string? error)
        where T : struct, Enum
    {
        var text = raw.Trim();
        foreach (var choice in choices)
        {
            if (string.Equals(choice.Spelling, text, StringComparison.OrdinalIgnoreCase))
            {
                value = choice.Value;
                error = null;
                return true;
            }
        }

        var normalized = KafkaNameMatcher.Normalize(text);
        foreach (var choice in choices)
        {
            if (normalized.Length > 0 && KafkaNameMatcher.Normalize(choice.Spelling) == normalized)
            {
                value = choice.Value;
                error = null;
                return true;
            }
        }

        var primary = choices.Where(c => c.Primary).Select(c => c.Spelling).ToList();
        var nearest = KafkaNameMatcher.FindNearest(text, primary.Select(p => (p, p)));
        error = "is not " + ("one of " + string.Join(", ", primary)) + (nearest is null ? string.Empty : $"; did you mean `{nearest}`?");
        value = default;
        return false;
    }

    /// <summary>librdkafka's spelling of a value.</summary>
    public static string Spell<T>(T value, KafkaChoice<T>[] choices)
        where T : struct, Enum
    {
        foreach (var choice in choices)
        {
            if (EqualityComparer<T>.Default.Equals(choice.Value, value))
            {
                return choice.Spelling;
            }
        }

        return value.ToString();
    }

    /// <summary>True when the value is one of the choices (catches casts of undefined numbers set in code).</summary>
    public static bool IsDefined<T>(T value, KafkaChoice<T>[] choices)
        where T : struct, Enum =>
        choices.Any(choice => EqualityComparer<T>.Default.Equals(choice.Value, value));
}

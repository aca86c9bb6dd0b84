using Confluent.Kafka;

namespace Samsa.Configuration;

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

using System.Text;

namespace Samsa.Configuration;

/// <summary>
/// "Did you mean" for setting names: names are compared after normalization (case ignored, and
/// <c>_</c>, <c>.</c>, <c>-</c> and <c>:</c> removed, so <c>batch_size</c>, <c>batch.size</c> and
/// <c>BatchSize</c> are the same name), by Damerau-Levenshtein distance (optimal string alignment:
/// insertions, deletions, substitutions and swaps of neighbours each cost one).
/// </summary>
internal static class KafkaNameMatcher
{
    /// <summary>Upper case, without separators.</summary>
    public static string Normalize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (c is not ('_' or '.' or '-' or ':'))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>How far a normalized name may be from a candidate and still count as a near miss.</summary>
    public static int MaxDistance(int normalizedLength) => normalizedLength switch
    {
        <= 4 => 1,
        <= 10 => 2,
        _ => 3,
    };

    /// <summary>Optimal string alignment distance.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, d[i - 2, j - 2] + 1);
                }

                d[i, j] = best;
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>
    /// The candidate whose name is nearest to <paramref name="input"/> within <see cref="MaxDistance"/>, or default.
    /// Ties go to the earlier candidate.
    /// </summary>
    public static T? FindNearest<T>(string input, IEnumerable<(string Name, T Value)> candidates)
    {
        var normalized = Normalize(input);
        var limit = MaxDistance(normalized.Length);
        var bestDistance = int.MaxValue;
        T? best = default;
        foreach (var (name, value) in candidates)
        {
            var distance = Distance(normalized, Normalize(name));
            if (distance <= limit && distance < bestDistance)
            {
                bestDistance = distance;
                best = value;
            }
        }

        return best;
    }
}

/// <summary>
/// Names other Kafka clients use for librdkafka properties, so a setting copied from a Python or Java
/// service gets the right suggestion (the incident: aiokafka's <c>max_batch_size</c> vs <c>batch_size</c>).
/// Sources: the keyword arguments of kafka-python's and aiokafka's producer and consumer, and the Java
/// client's property names where librdkafka differs.
/// </summary>
internal static class KafkaForeignPropertyNames
{
    private static readonly (string Foreign, string Librdkafka, string Origin)[] Table =
    [
        ("max_batch_size", "batch.size", "aiokafka"),
        ("max_request_size", "message.max.bytes", "kafka-python and aiokafka"),
        ("max.request.size", "message.max.bytes", "the Java client"),
        ("sasl_plain_username", "sasl.username", "kafka-python and aiokafka"),
        ("sasl_plain_password", "sasl.password", "kafka-python and aiokafka"),
        ("ssl_cafile", "ssl.ca.location", "kafka-python and aiokafka"),
        ("ssl_certfile", "ssl.certificate.location", "kafka-python and aiokafka"),
        ("ssl_keyfile", "ssl.key.location", "kafka-python and aiokafka"),
        ("ssl_password", "ssl.key.password", "kafka-python and aiokafka"),
        ("ssl_check_hostname", "ssl.endpoint.identification.algorithm", "kafka-python and aiokafka"),
        ("fetch.max.wait.ms", "fetch.wait.max.ms", "the Java client, kafka-python and aiokafka"),
        ("ssl.truststore.location", "ssl.ca.location", "the Java client (librdkafka reads PEM CA files)"),
        ("buffer.memory", "queue.buffering.max.kbytes", "the Java client (in bytes there, KiB here)"),
        ("sasl.jaas.config", "sasl.username", "the Java client (librdkafka takes sasl.username and sasl.password)"),
    ];

    /// <summary>The librdkafka name for a foreign name, with where the foreign name comes from; null if unknown.</summary>
    public static (string Librdkafka, string Origin)? Lookup(string name)
    {
        var normalized = KafkaNameMatcher.Normalize(name);
        foreach (var (foreign, librdkafka, origin) in Table)
        {
            if (KafkaNameMatcher.Normalize(foreign) == normalized)
            {
                return (librdkafka, origin);
            }
        }

        return null;
    }
}

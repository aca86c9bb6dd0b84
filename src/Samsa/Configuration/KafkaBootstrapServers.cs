using System.Globalization;
using System.Text.Json;

namespace Samsa.Configuration;

/// <summary>
/// Parses and checks bootstrap server lists: a JSON list (<c>["broker:9092"]</c>, as the seed's
/// <c>KAFKA_BOOTSTRAP_SERVERS</c> is written) or a comma list (<c>a:9092, b:9092</c>); each entry is
/// <c>host:port</c>, <c>[ipv6]:port</c>, optionally with a <c>PLAINTEXT://</c>-style prefix.
/// </summary>
internal static class KafkaBootstrapServers
{
    private const int MaxPort = 65_535;

    private static readonly string[] Schemes = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

    /// <summary>Splits a list; an error means malformed JSON, an empty list or an empty entry.</summary>
    public static bool TryParseList(string raw, out List<string> servers, out string? error)
    {
        servers = [];
        var text = raw.Trim();
        if (text.StartsWith('{'))
        {
            error = "is a JSON object; expected a JSON list such as [\"broker:9092\"]";
            return false;
        }

        if (text.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                foreach (var element in document.RootElement.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.String)
                    {
                        error = $"is a JSON list with a {element.ValueKind.ToString().ToUpperInvariant()} entry ({element.GetRawText()}); every entry must be a \"host:port\" string";
                        return false;
                    }

                    servers.Add(element.GetString()!.Trim());
                }
            }
            catch (JsonException exception)
            {
                error = $"is not a valid JSON list ({exception.Message})";
                return false;
            }
        }
        else
        {
            servers.AddRange(text.Split(',').Select(entry => entry.Trim()));
        }

        if (servers.Count == 0 || servers.All(string.IsNullOrEmpty))
        {
            error = "is an empty list";
            servers = [];
            return false;
        }

        if (servers.Any(string.IsNullOrEmpty))
        {
            error = "has an empty entry (a stray comma?)";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Null when the entry is a valid <c>host:port</c>, otherwise what is wrong with it.</summary>
    public static string? CheckEntry(string entry)
    {
        var text = entry.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var scheme = text[..schemeEnd];
            if (!Schemes.Contains(scheme, StringComparer.OrdinalIgnoreCase))
            {
                return $"has an unknown protocol prefix `{scheme}://` (expected none or one of {string.Join(", ", Schemes)})";
            }

            text = text[(schemeEnd + 3)..];
        }

        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "has an IPv6 address without a closing `]`";
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (!rest.StartsWith(':'))
            {
                return "has no port (expected host:port, such as broker:9092)";
            }

            port = rest[1..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                return "has no port (expected host:port, such as broker:9092)";
            }

            host = text[..colon];
            port = text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                return "looks like an IPv6 address without brackets (write [::1]:9092)";
            }
        }

        if (host.Length == 0)
        {
            return "has no host";
        }

        if (host.Any(char.IsWhiteSpace) || host.Contains('/', StringComparison.Ordinal))
        {
            return $"has an invalid host `{host}`";
        }

        if (port.Length == 0)
        {
            return "has no port (expected host:port, such as broker:9092)";
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return $"has a port `{port}` that is not a number";
        }

        if (number is < 1 or > MaxPort)
        {
            return $"has port {number}, outside 1-{MaxPort}";
        }

        return null;
    }
}

using System.Globalization;
using Samsa.Configuration;

namespace Samsa.Startup;

/// <summary>One bootstrap entry split into host and port, as written (<c>broker:9092</c>, <c>[::1]:9092</c>, <c>SSL://broker:9093</c>).</summary>
internal readonly record struct BrokerAddress(string Host, int Port, string Text)
{
    /// <summary>Splits an entry; the error says what is wrong with it.</summary>
    public static bool TryParse(string entry, out BrokerAddress address, out string? error)
    {
        address = default;
        var text = entry.Trim();
        error = KafkaBootstrapServers.CheckEntry(text);
        if (error is not null)
        {
            return false;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        var rest = schemeEnd >= 0 ? text[(schemeEnd + 3)..] : text;
        var colon = rest.LastIndexOf(':');
        var host = rest[..colon].Trim('[', ']');
        var port = int.Parse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        address = new BrokerAddress(host, port, rest);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}

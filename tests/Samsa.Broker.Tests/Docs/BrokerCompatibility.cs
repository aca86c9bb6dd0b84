using System.Globalization;
using System.Text;
using Samsa.Protocol;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Docs;

/// <summary>
/// Writes docs/broker-compatibility.md: the APIs and versions a running broker's handler registry serves,
/// next to the versions Kafka's vendored schemas define, the broker APIs it does not serve, and the known
/// gaps of src/Samsa.Broker/Handlers/UNSUPPORTED.md.
/// </summary>
internal static class BrokerCompatibility
{
    public const string RelativePath = "docs/broker-compatibility.md";

    private const string UnsupportedPath = "src/Samsa.Broker/Handlers/UNSUPPORTED.md";

    public static async Task<string> GenerateAsync()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions());
        var served = broker.Handlers.Handlers.ToDictionary(handler => handler.ApiKey);

        var md = new StringBuilder();
        md.Append(string.Create(CultureInfo.InvariantCulture, $"""
            <!-- Generated from the broker's handler registry and schemas/kafka by tests/Samsa.Broker.Tests/Docs/BrokerCompatibility.cs. Do not edit. -->
            <!-- Regenerate: SAMSA_WRITE_DOCS=1 dotnet test tests/Samsa.Broker.Tests --filter "FullyQualifiedName~BrokerCompatibilityTests" -->
            # Embedded broker compatibility

            What `Samsa.Broker` (and `samsa broker start`, and `Samsa.Testing`) serves, API by API, against the versions
            Apache Kafka's message schemas define (the schemas vendored in `schemas/kafka`). A broker advertises exactly
            the served ranges in its ApiVersions response, so a client negotiates a version the broker understands.
            Where a handler differs from Kafka in behaviour, its doc comment says so; the known gaps are listed below.

            Served: {served.Count} of the {ApiVersionRanges.All.Count(key => ApiVersionRanges.Get(key).IsBrokerApi)} APIs Kafka brokers serve.

            ## Served APIs

            | Key | API | Served versions | Kafka versions | Coverage |
            |---|---|---|---|---|

            """).Replace("\r", "", StringComparison.Ordinal));
        foreach (var handler in served.Values.OrderBy(h => (short)h.ApiKey))
        {
            var kafka = ApiVersionRanges.Get(handler.ApiKey);
            var coverage = handler.MinVersion == kafka.MinVersion && handler.MaxVersion == kafka.MaxVersion ? "all versions" : "partial";
            md.Append(CultureInfo.InvariantCulture, $"| {(short)handler.ApiKey} | {handler.ApiKey} | {Range(handler.MinVersion, handler.MaxVersion)} | {Range(kafka.MinVersion, kafka.MaxVersion)} | {coverage} |\n");
        }

        md.Append("""

            ## Broker APIs not served

            A request for one of these is answered as Kafka answers an unknown API: the connection is closed (clients
            check ApiVersions first and do not send them).

            | Key | API | Kafka versions |
            |---|---|---|

            """.Replace("\r", "", StringComparison.Ordinal));
        foreach (var key in ApiVersionRanges.All.Where(key => !served.ContainsKey(key)))
        {
            var kafka = ApiVersionRanges.Get(key);
            if (kafka.IsBrokerApi)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {(short)key} | {key} | {Range(kafka.MinVersion, kafka.MaxVersion)} |\n");
            }
        }

        md.Append(string.Create(CultureInfo.InvariantCulture, $"""

            APIs that only controllers serve (KRaft quorum and controller APIs) are not listed: an embedded broker has no
            separate controller.

            ## Known gaps

            From `{UnsupportedPath}`.


            """).Replace("\r", "", StringComparison.Ordinal));
        var unsupported = File.ReadAllText(Path.Combine(RepositoryPaths.Root, UnsupportedPath)).ReplaceLineEndings("\n").Split('\n');
        foreach (var line in unsupported.SkipWhile(line => !line.StartsWith("## ", StringComparison.Ordinal)))
        {
            // One heading level down, below "Known gaps".
            md.Append(line.StartsWith('#') ? "#" + line : line).Append('\n');
        }

        return md.ToString().TrimEnd('\n') + "\n";
    }

    private static string Range(short min, short max) =>
        min == max ? min.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{min}-{max}");
}

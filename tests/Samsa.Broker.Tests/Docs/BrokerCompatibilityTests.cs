using Samsa.Protocol;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Docs;

public sealed class BrokerCompatibilityTests
{
    private const string Regenerate = "SAMSA_WRITE_DOCS=1 dotnet test tests/Samsa.Broker.Tests --filter \"FullyQualifiedName~BrokerCompatibilityTests\"";

    [Fact]
    public async Task BrokerCompatibilityMd_MatchesTheHandlerRegistry() =>
        DocFile.AssertCurrent(BrokerCompatibility.RelativePath, await BrokerCompatibility.GenerateAsync(), Regenerate);

    [Fact]
    public async Task Generate_ListsEveryServedApiOnceAndEveryOtherBrokerApiAsNotServed()
    {
        var markdown = await BrokerCompatibility.GenerateAsync();
        var lines = markdown.Split('\n');
        foreach (var key in ApiVersionRanges.All.Where(key => ApiVersionRanges.Get(key).IsBrokerApi))
        {
            var rows = lines.Where(line => line.StartsWith($"| {(short)key} | {key} |", StringComparison.Ordinal)).ToList();
            Assert.True(rows.Count == 1, $"{key} appears in {rows.Count} rows.");
        }

        Assert.Contains("| 0 | Produce | 0-11 | 0-11 | all versions |", lines);
        Assert.Contains("| 18 | ApiVersions | 0-4 | 0-4 | all versions |", lines);
    }
}

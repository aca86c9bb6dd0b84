using Samsa.Configuration;
using Samsa.TestUtils;

namespace Samsa.Tests.Docs;

public sealed class ConfigurationReferenceTests
{
    private const string Regenerate = "SAMSA_WRITE_DOCS=1 dotnet test tests/Samsa.Tests --filter \"FullyQualifiedName~ConfigurationReferenceTests\"";

    [Fact]
    public void ConfigurationMd_MatchesTheSettingsRegistry() =>
        DocFile.AssertCurrent(ConfigurationReference.RelativePath, ConfigurationReference.Generate(), Regenerate);

    [Fact]
    public void Generate_ListsEverySettingWithItsVariableAndDescription()
    {
        var markdown = ConfigurationReference.Generate();
        var rows = markdown.Split('\n').Where(line => line.StartsWith("| `Kafka:", StringComparison.Ordinal)).ToList();

        Assert.Equal(KafkaSettingCatalog.All.Count, rows.Count);
        foreach (var setting in KafkaSettingCatalog.All)
        {
            var row = Assert.Single(rows, r => r.StartsWith($"| `{setting.SectionKey}` | `{setting.EnvironmentVariable}` |", StringComparison.Ordinal));
            var description = row.TrimEnd().TrimEnd('|').Split(" | ")[^1].Trim();
            Assert.False(string.IsNullOrWhiteSpace(description), $"{setting.SectionKey} has no description (its property has no <summary>).");
        }
    }

    [Fact]
    public void Generate_MarksWhatTheValidatorRequires()
    {
        var markdown = ConfigurationReference.Generate();
        string Row(KafkaSetting setting) => markdown.Split('\n').Single(line => line.StartsWith($"| `{setting.SectionKey}` |", StringComparison.Ordinal));

        // Bootstrap servers are needed everywhere; SCRAM credentials only where the profile turns SASL on.
        Assert.Contains("| Production, Development |", Row(KafkaSettingCatalog.BootstrapServers), StringComparison.Ordinal);
        Assert.Contains("| Production |", Row(KafkaSettingCatalog.SaslPassword), StringComparison.Ordinal);
        Assert.Contains("| no |", Row(KafkaSettingCatalog.ClientId), StringComparison.Ordinal);
        Assert.Contains("| `SASL_SSL` | `PLAINTEXT` |", Row(KafkaSettingCatalog.SecurityProtocol), StringComparison.Ordinal);
    }
}

using System.Text.RegularExpressions;
using Samsa.Diagnostics;
using Samsa.TestUtils;

namespace Samsa.Tests.Monitoring;

/// <summary>The alert rules and dashboard under <c>docs/monitoring/</c>: valid for Prometheus, and only about metrics Samsa emits.</summary>
public sealed partial class MonitoringDocsTests
{
    private static readonly string Rules = Path.Combine(RepositoryPaths.Root, "docs", "monitoring", "samsa-alerts.yml");
    private static readonly string Dashboard = Path.Combine(RepositoryPaths.Root, "docs", "monitoring", "samsa-dashboard.json");

    [Fact]
    public async Task AlertRules_PromtoolCheckRules_Succeeds()
    {
        var promtool = ExternalProcess.Find("promtool")
            ?? throw new Xunit.Sdk.XunitException("promtool is not installed: run scripts/install-test-deps.sh (Debian package prometheus).");

        var result = await ExternalProcess.RunAsync(promtool, ["check", "rules", Rules], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS: 9 rules found", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("samsa-alerts.yml")]
    [InlineData("samsa-dashboard.json")]
    public void Metrics_ReferencedInDocs_AreAllEmitted(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "monitoring", file));
        var exported = ExportedNames();
        var labels = SamsaInstruments.All.SelectMany(i => i.Attributes).Select(a => a.Replace('.', '_')).ToHashSet(StringComparer.Ordinal);

        var referenced = Identifier().Matches(text).Select(m => m.Value).Where(name => !labels.Contains(name)).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.True(exported.Contains(name), $"{file} uses {name}, which Samsa does not emit; emitted: {string.Join(", ", exported.Order())}"));
    }

    [Fact]
    public void Metrics_Docs_CoverLagStuckErrorsUnacknowledgedDeadLettersAndReadiness()
    {
        var rules = File.ReadAllText(Rules);
        foreach (var metric in new[]
        {
            "samsa_consumer_group_lag", "samsa_consumer_group_time_lag_seconds", "samsa_consumer_group_stuck", "messaging_client_sent_messages_total",
            "samsa_publish_unacknowledged_oldest_age_seconds", "samsa_consume_dead_letters_total", "samsa_health_status",
        })
        {
            Assert.Contains(metric, rules, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Dashboard));
    }

    /// <summary>The names the OpenTelemetry Prometheus exporter gives <see cref="SamsaInstruments.All"/>.</summary>
    private static HashSet<string> ExportedNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instrument in SamsaInstruments.All)
        {
            var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : string.Empty);
            switch (instrument.Kind)
            {
                case SamsaInstrumentKind.Counter or SamsaInstrumentKind.ObservableCounter:
                    names.Add(name + "_total");
                    break;
                case SamsaInstrumentKind.Histogram:
                    names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
                    break;
                default:
                    names.Add(name);
                    break;
            }
        }

        return names;
    }

    [GeneratedRegex(@"\b(?:messaging|samsa)_[a-z0-9_]+\b")]
    private static partial Regex Identifier();
}

using System.Globalization;
using Microsoft.Extensions.Configuration;
using Samsa.Configuration;

namespace Samsa.DependencyInjection;

/// <summary>
/// Binds <c>Kafka:Hosting</c> into <see cref="SamsaKafkaSettings"/>. It never throws: unknown keys (with the nearest
/// valid one) and unreadable values are recorded and reported at start by <see cref="SamsaKafkaSettingsValidator"/>.
/// Time spans are written as <c>hh:mm:ss</c> (<c>00:00:30</c>); a bare number is refused, because .NET would read
/// <c>30</c> as thirty days.
/// </summary>
internal static class SamsaKafkaSettingsBinder
{
    private static readonly string[] Names =
    [
        nameof(SamsaKafkaSettings.DisableHealthChecks), nameof(SamsaKafkaSettings.StartupTimeout),
        nameof(SamsaKafkaSettings.BrokerConnectTimeout), nameof(SamsaKafkaSettings.HealthCheckTimeout),
        nameof(SamsaKafkaSettings.HealthCheckInterval),
    ];

    /// <summary>Binds the <c>Hosting</c> subsection of <paramref name="configuration"/>'s <c>Kafka</c> section.</summary>
    public static void Bind(SamsaKafkaSettings settings, IConfiguration configuration, string? cluster = null)
    {
        var section = KafkaClusterNames.Section(configuration, cluster).GetSection(SamsaKafkaSettings.SectionKey);
        foreach (var child in section.GetChildren())
        {
            var name = Names.FirstOrDefault(n => string.Equals(n, child.Key, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                var nearest = KafkaNameMatcher.FindNearest(child.Key, Names.Select(n => (n, n)));
                var hint = nearest is null ? "." : $"; did you mean `{nearest}`?";
                settings.BindingIssues.Add(KafkaConfigurationIssue.Error(
                    child.Path, $"`{child.Path}` is not a hosting setting ({string.Join(", ", Names)}){hint}"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(child.Value))
            {
                if (child.GetChildren().Any())
                {
                    settings.BindingIssues.Add(KafkaConfigurationIssue.Error(child.Path, $"`{child.Path}` must be a single value, not a section."));
                }

                continue;
            }

            var text = child.Value.Trim();
            if (name == nameof(SamsaKafkaSettings.DisableHealthChecks))
            {
                if (bool.TryParse(text, out var flag))
                {
                    settings.DisableHealthChecks = flag;
                }
                else
                {
                    Report(settings, child, "true or false");
                }

                continue;
            }

            if (!text.Contains(':', StringComparison.Ordinal) || !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var time))
            {
                Report(settings, child, "a time span such as 00:00:30");
                continue;
            }

            switch (name)
            {
                case nameof(SamsaKafkaSettings.StartupTimeout):
                    settings.StartupTimeout = time;
                    break;
                case nameof(SamsaKafkaSettings.BrokerConnectTimeout):
                    settings.BrokerConnectTimeout = time;
                    break;
                case nameof(SamsaKafkaSettings.HealthCheckInterval):
                    settings.HealthCheckInterval = time;
                    break;
                default:
                    settings.HealthCheckTimeout = time;
                    break;
            }
        }
    }

    private static void Report(SamsaKafkaSettings settings, IConfigurationSection child, string expected) =>
        settings.BindingIssues.Add(KafkaConfigurationIssue.Error(
            child.Path, $"`{child.Path}`=`{KafkaConfigurationBinder.ShowValue(child.Value ?? string.Empty, secret: false)}` cannot be read; expected {expected}."));
}

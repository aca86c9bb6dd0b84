using System.Globalization;
using Microsoft.Extensions.Options;

namespace Samsa.DependencyInjection;

/// <summary>
/// Checks <see cref="SamsaKafkaSettings"/> at start and reports every problem at once: binding problems, timeouts out
/// of range, and a per-broker timeout longer than the whole start-up (both values quoted).
/// </summary>
internal sealed class SamsaKafkaSettingsValidator : IValidateOptions<SamsaKafkaSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SamsaKafkaSettings options)
    {
        var errors = options.BindingIssues.Select(issue => issue.Message).ToList();
        var min = SamsaKafkaSettingsDefaults.Limits.MinTimeout;
        var maxStartup = SamsaKafkaSettingsDefaults.Limits.MaxStartupTimeout;
        var period = options.HealthCheckInterval;

        Range(errors, nameof(SamsaKafkaSettings.StartupTimeout), options.StartupTimeout, min, maxStartup);
        Range(errors, nameof(SamsaKafkaSettings.BrokerConnectTimeout), options.BrokerConnectTimeout, min, maxStartup);
        Range(errors, nameof(SamsaKafkaSettings.HealthCheckInterval), options.HealthCheckInterval, min, SamsaKafkaSettingsDefaults.Limits.MaxHealthCheckInterval);
        Range(errors, nameof(SamsaKafkaSettings.HealthCheckTimeout), options.HealthCheckTimeout, min, period);
        if (options.BrokerConnectTimeout > options.StartupTimeout && options.StartupTimeout >= min)
        {
            errors.Add(
                $"{Key(nameof(SamsaKafkaSettings.BrokerConnectTimeout))} is {Show(options.BrokerConnectTimeout)}, longer than " +
                $"{Key(nameof(SamsaKafkaSettings.StartupTimeout))}, {Show(options.StartupTimeout)}: one broker could use up the whole start-up. " +
                "Make it shorter than the start-up timeout.");
        }

        // A named cluster's settings carry its name; every message says which cluster it is about.
        var cluster = Configuration.KafkaClusterNames.MessagePrefix(name);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(error => cluster + error));
    }

    private static void Range(List<string> errors, string property, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Key(property)} is {Show(value)}; expected {Show(min)} to {Show(max)}.");
        }
    }

    private static string Key(string property) => $"`Kafka:{SamsaKafkaSettings.SectionKey}:{property}`";

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}

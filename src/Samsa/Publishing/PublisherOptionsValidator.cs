using Microsoft.Extensions.Options;

namespace Samsa.Publishing;

/// <summary>Checks <see cref="PublisherOptions"/> at start; each message names the setting and the bad value.</summary>
internal sealed class PublisherOptionsValidator : IValidateOptions<PublisherOptions>
{
    public ValidateOptionsResult Validate(string? name, PublisherOptions options)
    {
        var failures = new List<string>();
        if (options.FlushTimeout <= TimeSpan.Zero || options.FlushTimeout > PublisherDefaults.MaxFlushTimeout)
        {
            failures.Add($"Publisher FlushTimeout is {options.FlushTimeout}; it must be more than zero and at most {PublisherDefaults.MaxFlushTimeout}.");
        }

        if (options.HealthWindow <= TimeSpan.Zero)
        {
            failures.Add($"Publisher HealthWindow is {options.HealthWindow}; it must be more than zero.");
        }

        if (options.UnacknowledgedAgeThreshold <= TimeSpan.Zero)
        {
            failures.Add($"Publisher UnacknowledgedAgeThreshold is {options.UnacknowledgedAgeThreshold}; it must be more than zero.");
        }

        if (options.DegradedFailureThreshold < 1)
        {
            failures.Add($"Publisher DegradedFailureThreshold is {options.DegradedFailureThreshold}; it must be at least 1.");
        }

        if (options.UnhealthyFailureThreshold < options.DegradedFailureThreshold)
        {
            failures.Add($"Publisher UnhealthyFailureThreshold ({options.UnhealthyFailureThreshold}) is below DegradedFailureThreshold ({options.DegradedFailureThreshold}).");
        }

        failures.AddRange(options.ConfigurationErrors);
        // A named cluster's publisher settings carry its name; every message says which cluster it is about.
        var cluster = Configuration.KafkaClusterNames.MessagePrefix(name);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures.Select(failure => cluster + failure));
    }
}

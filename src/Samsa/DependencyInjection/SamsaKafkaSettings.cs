using Samsa.Configuration;

namespace Samsa.DependencyInjection;

/// <summary>
/// How Samsa runs inside the host: the start-up gate's time limits and the health check. Bound from
/// <c>Kafka:Hosting</c> when <c>AddSamsaKafka</c> is called, then changed by its <c>configureSettings</c> delegate.
/// </summary>
public sealed class SamsaKafkaSettings
{
    /// <summary>The key of these settings below the <c>Kafka</c> section: <c>Kafka:Hosting</c>.</summary>
    public const string SectionKey = "Hosting";

    /// <summary>Leave out the Kafka health check (<see cref="Diagnostics.SamsaNames.BrokerHealthCheck"/>) and its background refresh.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>All start-up checks together (connectivity, TLS, authentication, metadata, provisioning) must finish within this time.</summary>
    public TimeSpan StartupTimeout { get; set; } = SamsaKafkaSettingsDefaults.StartupTimeout;

    /// <summary>Each DNS look-up, TCP connect and TLS handshake with one bootstrap broker must finish within this time.</summary>
    public TimeSpan BrokerConnectTimeout { get; set; } = SamsaKafkaSettingsDefaults.BrokerConnectTimeout;

    /// <summary>The metadata request of one health check must finish within this time.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = SamsaKafkaSettingsDefaults.HealthCheckTimeout;

    /// <summary>
    /// How often the health checks are refreshed in the background (<c>/health/ready</c> answers from the latest results
    /// and never waits on Kafka): so a broker outage shows within this time.
    /// </summary>
    public TimeSpan HealthCheckInterval { get; set; } = SamsaKafkaSettingsDefaults.HealthCheckPeriod;

    /// <summary>Problems found while binding <c>Kafka:Hosting</c>, reported at start by <see cref="SamsaKafkaSettingsValidator"/>.</summary>
    internal List<KafkaConfigurationIssue> BindingIssues { get; } = [];

    /// <summary>Copies every setting (and the binding problems) onto <paramref name="target"/>.</summary>
    internal void CopyTo(SamsaKafkaSettings target)
    {
        target.DisableHealthChecks = DisableHealthChecks;
        target.StartupTimeout = StartupTimeout;
        target.BrokerConnectTimeout = BrokerConnectTimeout;
        target.HealthCheckTimeout = HealthCheckTimeout;
        target.HealthCheckInterval = HealthCheckInterval;
        target.BindingIssues.Clear();
        target.BindingIssues.AddRange(BindingIssues);
    }
}

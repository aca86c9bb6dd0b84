namespace Samsa.DependencyInjection;

/// <summary>Defaults and limits of <see cref="SamsaKafkaSettings"/> and of the health check schedule.</summary>
public static class SamsaKafkaSettingsDefaults
{
    /// <summary>All start-up checks together must finish within this time.</summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Each DNS look-up, TCP connect and TLS handshake with one bootstrap broker must finish within this time.</summary>
    public static readonly TimeSpan BrokerConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The metadata request of one health check must finish within this time.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Health checks are refreshed this often (the seed's "health checks every 30 seconds"): <see cref="SamsaKafkaSettings.HealthCheckInterval"/>.</summary>
    public static readonly TimeSpan HealthCheckPeriod = TimeSpan.FromSeconds(30);

    /// <summary>Limits.</summary>
    public static class Limits
    {
        /// <summary>The shortest timeout of any kind.</summary>
        public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);

        /// <summary>The longest <see cref="SamsaKafkaSettings.StartupTimeout"/>.</summary>
        public static readonly TimeSpan MaxStartupTimeout = TimeSpan.FromMinutes(10);

        /// <summary>The longest <see cref="SamsaKafkaSettings.HealthCheckInterval"/>.</summary>
        public static readonly TimeSpan MaxHealthCheckInterval = TimeSpan.FromMinutes(10);
    }
}

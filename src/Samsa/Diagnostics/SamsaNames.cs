namespace Samsa.Diagnostics;

/// <summary>The names Samsa publishes telemetry and health under, in one place.</summary>
public static class SamsaNames
{
    /// <summary>Meter of every Samsa instrument (<c>samsa.*</c>).</summary>
    public const string MeterName = "Samsa";

    /// <summary>ActivitySource of publish and consume spans.</summary>
    public const string ActivitySourceName = "Samsa";

    /// <summary>Health check of broker connectivity (tagged <see cref="ReadyTag"/>).</summary>
    public const string BrokerHealthCheck = "kafka";

    /// <summary>Health checks with this tag gate readiness (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Health checks with this tag gate liveness (<c>/health/live</c>).</summary>
    public const string LiveTag = "live";
}

namespace Samsa.Publishing;

/// <summary>Defaults and limits of <see cref="PublisherOptions"/>.</summary>
public static class PublisherDefaults
{
    /// <summary>How long shutdown waits for queued messages to be delivered: 10 s.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest allowed <see cref="PublisherOptions.FlushTimeout"/>: 10 minutes.</summary>
    public static readonly TimeSpan MaxFlushTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The window <see cref="ProducerErrorTracker"/> counts recent failures over: 5 minutes.</summary>
    public static readonly TimeSpan HealthWindow = TimeSpan.FromMinutes(5);

    /// <summary>Recent failures at or above which the producer health check reports Degraded: 1.</summary>
    public const int DegradedFailureThreshold = 1;

    /// <summary>Recent failures at or above which the producer health check reports Unhealthy: 100.</summary>
    public const int UnhealthyFailureThreshold = 100;

    /// <summary>Age of the oldest unacknowledged message at which the producer health check reports Degraded.</summary>
    public static readonly TimeSpan UnacknowledgedAgeThreshold = TimeSpan.FromSeconds(30);

    /// <summary>Content type of the System.Text.Json serializer and of raw payloads: <c>application/json</c>.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>Name of the producer health check.</summary>
    public const string HealthCheckName = "kafka-producer";

    /// <summary>
    /// The delivery report fields the publisher asks Confluent.Kafka for (<c>dotnet.producer.delivery.report.fields</c>)
    /// unless the configuration names its own: timestamp and persistence status. Key, value and headers are not read
    /// back, which saves a copy of every header per message.
    /// </summary>
    public const string DeliveryReportFields = "timestamp,status";
}

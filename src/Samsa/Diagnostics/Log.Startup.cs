using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Samsa.Diagnostics;

/// <summary>Log messages of start-up, provisioning and health (event ids 2000-2999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, EventName = "KafkaStartupCheckPassed", Level = LogLevel.Information,
        Message = "Kafka start-up check {Check} passed for {Target} in {ElapsedMs} ms: {Detail}")]
    public static partial void KafkaStartupCheckPassed(ILogger logger, string check, string target, long elapsedMs, string detail);

    [LoggerMessage(EventId = 2001, EventName = "KafkaStartupCheckFailed", Level = LogLevel.Error,
        Message = "Kafka start-up check {Check} failed: {Problem}")]
    public static partial void KafkaStartupCheckFailed(ILogger logger, string check, string problem);

    [LoggerMessage(EventId = 2002, EventName = "KafkaCertificateExpiresSoon", Level = LogLevel.Warning,
        Message = "The TLS certificate of broker {Broker} ({Subject}) expires on {NotAfter}, in {Days} day(s); renew it before then")]
    public static partial void KafkaCertificateExpiresSoon(ILogger logger, string broker, string subject, string notAfter, int days);

    [LoggerMessage(EventId = 2003, EventName = "KafkaStartupChecksPassed", Level = LogLevel.Information,
        Message = "Kafka start-up checks passed in {ElapsedMs} ms: {Brokers} broker(s), {Topics} declared topic(s)")]
    public static partial void KafkaStartupChecksPassed(ILogger logger, long elapsedMs, int brokers, int topics);

    [LoggerMessage(EventId = 2004, EventName = "KafkaStartupCheckSkipped", Level = LogLevel.Information,
        Message = "Kafka start-up check {Check} skipped: {Reason}")]
    public static partial void KafkaStartupCheckSkipped(ILogger logger, string check, string reason);

    [LoggerMessage(EventId = 2005, EventName = "KafkaTlsVerificationDisabled", Level = LogLevel.Warning,
        Message = "TLS certificate verification of broker {Broker} is off ({Setting}); its certificate is not checked")]
    public static partial void KafkaTlsVerificationDisabled(ILogger logger, string broker, string setting);

    [LoggerMessage(EventId = 2006, EventName = "HostStartupFailed", Level = LogLevel.Critical,
        Message = "The host did not start: {Reason}; exiting with code {ExitCode}")]
    public static partial void HostStartupFailed(ILogger logger, string reason, int exitCode);

    [LoggerMessage(EventId = 2007, EventName = "HostSettingsInvalid", Level = LogLevel.Error,
        Message = "Invalid {Options}: {Problems}")]
    public static partial void HostSettingsInvalid(ILogger logger, string options, string problems);

    [LoggerMessage(EventId = 2008, EventName = "HostStartupFailureDetail", Level = LogLevel.Debug,
        Message = "Start-up failure detail")]
    public static partial void HostStartupFailureDetail(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2010, EventName = "TopicCreated", Level = LogLevel.Information,
        Message = "Created topic {Topic}: {Settings}")]
    public static partial void TopicCreated(ILogger logger, string topic, string settings);

    [LoggerMessage(EventId = 2011, EventName = "TopicVerified", Level = LogLevel.Information,
        Message = "Topic {Topic} exists as declared: {Partitions} partition(s), replication factor {ReplicationFactor}")]
    public static partial void TopicVerified(ILogger logger, string topic, int partitions, int replicationFactor);

    [LoggerMessage(EventId = 2012, EventName = "TopicPartitionsAdded", Level = LogLevel.Warning,
        Message = "Added partitions to topic {Topic}: {From} -> {To}; keys now map to other partitions than before")]
    public static partial void TopicPartitionsAdded(ILogger logger, string topic, int from, int to);

    [LoggerMessage(EventId = 2013, EventName = "TopicProvisioningWarning", Level = LogLevel.Warning,
        Message = "Topic {Topic}: {Problem}")]
    public static partial void TopicProvisioningWarning(ILogger logger, string topic, string problem);

    [LoggerMessage(EventId = 2014, EventName = "TopicProvisioningError", Level = LogLevel.Error,
        Message = "Topic {Topic}: {Problem}")]
    public static partial void TopicProvisioningError(ILogger logger, string topic, string problem);

    [LoggerMessage(EventId = 2020, EventName = "HealthStatusChanged",
        Message = "Health check {Name} is now {Status} (was {Previous}): {Description}")]
    public static partial void HealthStatusChanged(ILogger logger, LogLevel level, string name, string status, string previous, string? description);

    [LoggerMessage(EventId = 2030, EventName = "LibrdkafkaLog",
        Message = "librdkafka {Client} {Facility}: {Text}")]
    public static partial void LibrdkafkaLog(ILogger logger, LogLevel level, string client, string facility, string text);

    [LoggerMessage(EventId = 2031, EventName = "KafkaClientError",
        Message = "Kafka admin client error {Code}: {Reason}")]
    public static partial void KafkaClientError(ILogger logger, LogLevel level, ErrorCode code, string reason);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Warning, EventName = "LagReadFailed",
        Message = "Consumer lag of groups {Groups} could not be read from the brokers; the lag gauges and thresholds keep the last reading until it can")]
    public static partial void LagReadFailed(ILogger logger, Exception exception, string groups);
}

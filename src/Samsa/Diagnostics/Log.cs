using Microsoft.Extensions.Logging;

namespace Samsa.Diagnostics;

/// <summary>
/// Log messages of the Samsa library. Event ids come in blocks of 1000 per area; this file holds the
/// configuration block (1000-1999). Other areas add their own partial files.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "KafkaConfigurationWarning", Level = LogLevel.Warning,
        Message = "Kafka configuration ({Setting}): {Problem}")]
    public static partial void KafkaConfigurationWarning(ILogger logger, string setting, string problem);

    [LoggerMessage(EventId = 1001, EventName = "LibrdkafkaLoaded", Level = LogLevel.Information,
        Message = "Using librdkafka {Version} from {Path}")]
    public static partial void LibrdkafkaLoaded(ILogger logger, string version, string path);

    [LoggerMessage(EventId = 1002, EventName = "KafkaEffectiveConfiguration", Level = LogLevel.Debug,
        Message = "Effective Kafka client configuration (secrets masked, profile {Profile}):\n{Configuration}")]
    public static partial void KafkaEffectiveConfiguration(ILogger logger, string profile, string configuration);

    [LoggerMessage(EventId = 1003, EventName = "KafkaConfigurationInvalid", Level = LogLevel.Error,
        Message = "Kafka configuration ({Setting}): {Problem}")]
    public static partial void KafkaConfigurationError(ILogger logger, string setting, string problem);
}

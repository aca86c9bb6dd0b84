using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Diagnostics;
using Samsa.Native;

namespace Samsa.DependencyInjection;

/// <summary>
/// The default <see cref="IKafkaAdminClientFactory"/>: the configuration comes from
/// <see cref="KafkaClientConfigFactory.CreateAdminClientConfig"/>, the bundled librdkafka is loaded first, and
/// librdkafka's log lines and errors go to the logger <c>Samsa.Kafka.Admin</c>.
/// </summary>
internal sealed class KafkaAdminClientFactory : IKafkaAdminClientFactory
{
    /// <summary>The log category of librdkafka's admin client messages.</summary>
    public const string LogCategory = "Samsa.Kafka.Admin";

    private readonly Lazy<AdminClientConfig> _config;
    private readonly ILogger _logger;

    public KafkaAdminClientFactory(IOptions<KafkaOptions> options, ILoggerFactory loggerFactory)
    {
        _config = new Lazy<AdminClientConfig>(() => KafkaClientConfigFactory.CreateAdminClientConfig(options.Value), LazyThreadSafetyMode.ExecutionAndPublication);
        _logger = loggerFactory.CreateLogger(LogCategory);
    }

    /// <inheritdoc />
    public AdminClientConfig Config => _config.Value;

    /// <inheritdoc />
    public IAdminClient CreateAdminClient(Action<Error>? onError = null)
    {
        var config = Config;
        LibrdkafkaLoader.EnsureLoaded();
        var logger = _logger;
        return new AdminClientBuilder(config)
            .SetLogHandler((_, message) =>
            {
                var level = ToLogLevel(message.Level);
                if (logger.IsEnabled(level))
                {
                    Log.LibrdkafkaLog(logger, level, message.Name, message.Facility, message.Message);
                }
            })
            .SetErrorHandler((_, error) =>
            {
                var level = ToLogLevel(error);
                if (logger.IsEnabled(level))
                {
                    Log.KafkaClientError(logger, level, error.Code, error.Reason);
                }

                onError?.Invoke(error);
            })
            .Build();
    }

    /// <summary>Connection churn (a broker restarting, all brokers down for a moment) is Information; the health check reports outages.</summary>
    internal static LogLevel ToLogLevel(Error error) => error switch
    {
        { IsFatal: true } => LogLevel.Critical,
        { Code: ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_TimedOut } => LogLevel.Information,
        _ => LogLevel.Warning,
    };

    internal static LogLevel ToLogLevel(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };
}

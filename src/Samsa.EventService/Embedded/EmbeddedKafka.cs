using Microsoft.Extensions.Logging;
using Samsa.Broker;

namespace Samsa.EventService.Embedded;

/// <summary>
/// Development convenience: when the service runs in Development and no bootstrap servers are configured anywhere
/// (neither <c>KAFKA_BOOTSTRAP_SERVERS</c> nor <c>Kafka:BootstrapServers</c>), it starts an embedded Samsa.Broker and
/// points <c>Kafka:BootstrapServers</c> at it, before the Kafka options are bound. In any other environment it does
/// nothing, so the options validator refuses to start without <c>KAFKA_BOOTSTRAP_SERVERS</c>: production never
/// silently runs on an embedded broker.
/// </summary>
/// <remarks>
/// Settings (section <c>EmbeddedKafka</c>): <c>DataDirectory</c> keeps the broker's logs on disk (in memory when unset),
/// <c>Port</c> fixes the listener port (a free port when 0 or unset). The broker is disposed with the service container,
/// after the publisher has flushed.
/// </remarks>
internal sealed class EmbeddedKafka : IAsyncDisposable
{
    /// <summary>The configuration section of the embedded broker's settings.</summary>
    public const string SectionName = "EmbeddedKafka";

    private const string BootstrapKey = "Kafka:BootstrapServers";
    private const string BootstrapVariable = "KAFKA_BOOTSTRAP_SERVERS";

    private EmbeddedKafka(SamsaBroker broker, string? dataDirectory)
    {
        Broker = broker;
        DataDirectory = dataDirectory;
    }

    public SamsaBroker Broker { get; }

    public string BootstrapServers => Broker.BootstrapServers;

    public string? DataDirectory { get; }

    /// <summary>
    /// Starts the embedded broker when <paramref name="builder"/> is in Development and has no bootstrap servers;
    /// returns null (and starts nothing) otherwise.
    /// </summary>
    public static async Task<EmbeddedKafka?> StartIfNeededAsync(WebApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        if (!builder.Environment.IsDevelopment() || HasBootstrapServers(builder.Configuration))
        {
            return null;
        }

        var section = builder.Configuration.GetSection(SectionName);
        var dataDirectory = section["DataDirectory"];
        var options = new BrokerOptions
        {
            Port = section.GetValue<int?>("Port") ?? 0,
            DataDirectory = string.IsNullOrWhiteSpace(dataDirectory) ? null : Path.GetFullPath(dataDirectory),
        };
        var broker = await SamsaBroker.StartAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
        var embedded = new EmbeddedKafka(broker, options.DataDirectory);
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>(BootstrapKey, broker.BootstrapServers)]);

        // Owned by the container from here on, so it is disposed with it (after the publisher, which is created later).
        builder.Services.AddSingleton(_ => embedded);
        return embedded;
    }

    /// <summary>True when bootstrap servers come from the environment or from any configuration source.</summary>
    public static bool HasBootstrapServers(IConfiguration configuration) => HasBootstrapServers(configuration, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="HasBootstrapServers(IConfiguration)"/>, reading environment variables through <paramref name="environment"/> (tests pass their own).</summary>
    internal static bool HasBootstrapServers(IConfiguration configuration, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(environment(BootstrapVariable)))
        {
            return true;
        }

        var section = configuration.GetSection(BootstrapKey);
        return !string.IsNullOrWhiteSpace(section.Value)
            || section.GetChildren().Any(child => !string.IsNullOrWhiteSpace(child.Value))
            || !string.IsNullOrWhiteSpace(configuration["Kafka:Properties:bootstrap.servers"]);
    }

    /// <summary>The one loud line that says Kafka is embedded, logged once the application's logging is up.</summary>
    public void LogStarted(ILogger logger) => Log.EmbeddedBrokerStarted(logger, BootstrapServers, DataDirectory ?? "memory");

    public ValueTask DisposeAsync() => Broker.DisposeAsync();
}

internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "EmbeddedBrokerStarted", Level = LogLevel.Warning,
        Message = "Using an embedded Samsa.Broker at {BootstrapServers} (storage: {Storage}) because KAFKA_BOOTSTRAP_SERVERS is not set (Development only; set KAFKA_BOOTSTRAP_SERVERS to use a real cluster)")]
    public static partial void EmbeddedBrokerStarted(ILogger logger, string bootstrapServers, string storage);
}

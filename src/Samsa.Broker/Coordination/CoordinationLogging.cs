using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Coordination;

/// <summary>Log messages of coordinator shard loading, shared by the group and transaction coordinators. Event ids 8000-8999.</summary>
internal static partial class CoordinationLogging
{
    [LoggerMessage(8000, LogLevel.Error, "{Topic}-{Partition}: loading for node {NodeId} failed (attempt {Attempt}); answering COORDINATOR_LOAD_IN_PROGRESS and trying again in {DelayMs} ms")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string topic, int partition, int nodeId, int attempt, long delayMs);

    [LoggerMessage(8001, LogLevel.Error, "{Topic}-{Partition}: handing the shard over failed")]
    public static partial void HandOverFailed(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(8003, LogLevel.Warning, "{Topic} could not be created: {Error}: {Message}")]
    public static partial void TopicNotCreated(ILogger logger, string topic, Samsa.Protocol.ErrorCode error, string? message);

    [LoggerMessage(8002, LogLevel.Error, "{Work} failed; it runs again at its next tick")]
    public static partial void TimerCallbackFailed(ILogger logger, Exception exception, string work);
}

using Microsoft.Extensions.Logging;
using Samsa.Protocol;

namespace Samsa.Broker.Transactions;

/// <summary>Log messages of the transaction coordinator. Event ids 7000-7999.</summary>
internal static partial class TransactionCoordinatorLogging
{
    [LoggerMessage(7000, LogLevel.Information, "__transaction_state-{Partition}: loaded {Count} transactional id(s) for node {NodeId} at coordinator epoch {CoordinatorEpoch} in {ElapsedMs} ms")]
    public static partial void PartitionLoaded(ILogger logger, int partition, int count, int nodeId, int coordinatorEpoch, long elapsedMs);

    [LoggerMessage(7001, LogLevel.Information, "__transaction_state-{Partition}: unloaded {Count} transactional id(s) from node {NodeId}")]
    public static partial void PartitionUnloaded(ILogger logger, int partition, int count, int nodeId);

    // 7002 (load failed) moved to CoordinationLogging 8000, shared with the group coordinator.

    // 7003 (internal topic not created) moved to CoordinationLogging 8003.

    [LoggerMessage(7004, LogLevel.Debug, "Transaction {TransactionalId}: {From} -> {To} (producer {ProducerId}, epoch {ProducerEpoch})")]
    public static partial void StateChanged(ILogger logger, string transactionalId, TransactionState from, TransactionState to, long producerId, short producerEpoch);

    [LoggerMessage(7005, LogLevel.Warning, "Transaction {TransactionalId}: writing to __transaction_state failed with {Error}")]
    public static partial void StoreFailed(ILogger logger, string transactionalId, ErrorCode error);

    [LoggerMessage(7006, LogLevel.Information, "Transaction {TransactionalId}: timed out after {TimeoutMs} ms; aborting at producer epoch {ProducerEpoch}")]
    public static partial void TimedOut(ILogger logger, string transactionalId, int timeoutMs, short producerEpoch);

    [LoggerMessage(7007, LogLevel.Information, "Transaction {TransactionalId}: open transaction of producer {ProducerId} fenced by InitProducerId; aborting at epoch {ProducerEpoch}")]
    public static partial void Fenced(ILogger logger, string transactionalId, long producerId, short producerEpoch);

    [LoggerMessage(7008, LogLevel.Warning, "Transaction {TransactionalId}: {Marker} marker for {Topic}-{Partition} not written ({Error}); retrying later")]
    public static partial void MarkerFailed(ILogger logger, string transactionalId, string marker, string topic, int partition, ErrorCode error);

    [LoggerMessage(7009, LogLevel.Error, "Transaction coordinator maintenance failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);
}

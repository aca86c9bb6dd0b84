using Confluent.Kafka;

namespace Samsa.Publishing;

/// <summary>
/// Which produce errors are worth retrying: the broker's retriable codes (leadership moves, not enough replicas,
/// timeouts) and librdkafka's local codes for a lost or slow cluster and a full queue. Everything else (unknown topic,
/// too large, authorization, invalid config, a fatal idempotence error) fails the same way when tried again.
/// </summary>
internal static class KafkaErrorClassification
{
    public static bool IsTransient(ErrorCode code) => code switch
    {
        ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown
            or ErrorCode.Local_QueueFull or ErrorCode.Local_PurgeQueue or ErrorCode.Local_PurgeInflight or ErrorCode.Local_TimedOutQueue
            or ErrorCode.Local_Retry or ErrorCode.Local_WaitCoord => true,
        ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderForPartition or ErrorCode.RequestTimedOut or ErrorCode.BrokerNotAvailable
            or ErrorCode.ReplicaNotAvailable or ErrorCode.NetworkException or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            or ErrorCode.KafkaStorageError or ErrorCode.NotController or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.NotCoordinatorForGroup
            or ErrorCode.ConcurrentTransactions or ErrorCode.ThrottlingQuotaExceeded => true,
        _ => false,
    };
}

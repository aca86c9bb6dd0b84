using Samsa.Protocol;

namespace Samsa.Broker.Transactions;

/// <summary>The answer to InitProducerId for a transactional id.</summary>
internal readonly record struct InitProducerIdResult(ErrorCode Error, long ProducerId, short ProducerEpoch)
{
    public static InitProducerIdResult Failed(ErrorCode error) => new(error, -1, -1);
}

/// <summary>
/// Error codes whose meaning changed with request versions. The coordinator answers with the
/// newest code; handlers translate it for older clients.
/// </summary>
internal static class TransactionErrors
{
    /// <summary>
    /// PRODUCER_FENCED exists from AddPartitionsToTxn, AddOffsetsToTxn and EndTxn v2 and
    /// InitProducerId v4 on; older versions get INVALID_PRODUCER_EPOCH.
    /// </summary>
    public static ErrorCode ForVersion(ErrorCode error, short version, short producerFencedSince) =>
        error == ErrorCode.ProducerFenced && version < producerFencedSince ? ErrorCode.InvalidProducerEpoch : error;
}

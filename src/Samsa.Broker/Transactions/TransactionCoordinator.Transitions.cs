using Samsa.Broker.Groups;
using Samsa.Broker.Replication;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Transactions;

/// <summary>
/// The state machine of one transactional id, always run under its gate: every change is written
/// to <c>__transaction_state</c> first and applied only when that write succeeded; markers go to
/// each partition's leader in-process.
/// </summary>
internal sealed partial class TransactionCoordinator
{
    private async Task<InitProducerIdResult> InitLockedAsync(TransactionMetadata metadata, int timeoutMs, long expectedProducerId, short expectedEpoch)
    {
        var current = metadata.Current;
        var expected = expectedProducerId >= 0;
        var fresh = current.ProducerEpoch == TransactionSnapshot.NoEpoch;

        // KIP-360: a producer resuming names its id and epoch. Its own id (or the previous one, when
        // the epoch ran out and the id was replaced) is accepted; anything else is a zombie.
        var knownId = expectedProducerId == current.ProducerId
            || (expectedProducerId == current.PreviousProducerId && expectedEpoch >= TransactionSnapshot.ExhaustedEpoch);
        if (expected && !fresh && !knownId)
        {
            return InitProducerIdResult.Failed(ErrorCode.ProducerFenced);
        }

        // The epoch before the last bump: a retry whose answer was lost, or the producer of a transaction that timed out.
        var isRetry = expected && !fresh && expectedEpoch != current.ProducerEpoch && expectedEpoch == current.LastProducerEpoch;
        if (expected && !fresh && expectedEpoch != current.ProducerEpoch && !isRetry && expectedProducerId == current.ProducerId)
        {
            return InitProducerIdResult.Failed(ErrorCode.ProducerFenced);
        }

        switch (current.State)
        {
            case TransactionState.PrepareCommit or TransactionState.PrepareAbort:
                if (!await CompleteLockedAsync(metadata).ConfigureAwait(false))
                {
                    return InitProducerIdResult.Failed(ErrorCode.ConcurrentTransactions);
                }

                break;
            case TransactionState.Ongoing:
                // The open transaction is aborted at a bumped epoch (one the caller never sees), as Kafka fences it.
                TransactionCoordinatorLogging.Fenced(_logger, current.TransactionalId, current.ProducerId, (short)(current.ProducerEpoch + 1));
                var error = await AbortLockedAsync(metadata).ConfigureAwait(false);
                if (error != ErrorCode.None)
                {
                    return InitProducerIdResult.Failed(error);
                }

                if (!TransactionStates.IsIdle(metadata.Current.State))
                {
                    return InitProducerIdResult.Failed(ErrorCode.ConcurrentTransactions);
                }

                isRetry = false;
                break;
            case TransactionState.Dead or TransactionState.PrepareEpochFence:
                return InitProducerIdResult.Failed(ErrorCode.ConcurrentTransactions);
        }

        current = metadata.Current;
        var now = Now();
        var reset = current with { TimeoutMs = timeoutMs, State = TransactionState.Empty, Partitions = [], StartTimestamp = -1, LastUpdateTimestamp = now };
        TransactionSnapshot next;
        if (isRetry)
        {
            next = reset;
        }
        else if (current.IsEpochExhausted)
        {
            next = reset with
            {
                ProducerId = _cluster.AllocateProducerId(),
                PreviousProducerId = current.ProducerId,
                ProducerEpoch = 0,
                LastProducerEpoch = TransactionSnapshot.NoEpoch,
            };
        }
        else
        {
            next = reset with
            {
                ProducerEpoch = (short)(current.ProducerEpoch + 1),
                LastProducerEpoch = expected ? current.ProducerEpoch : TransactionSnapshot.NoEpoch,
            };
        }

        var stored = TryTransition(metadata, next);
        return stored == ErrorCode.None ? new InitProducerIdResult(ErrorCode.None, next.ProducerId, next.ProducerEpoch) : InitProducerIdResult.Failed(stored);
    }

    private async Task<ErrorCode> AddPartitionsLockedAsync(TransactionMetadata metadata, long producerId, short producerEpoch, IReadOnlyCollection<TopicPartitionKey> partitions)
    {
        var current = metadata.Current;
        var error = CheckProducer(current, producerId, producerEpoch);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (TransactionStates.IsPreparing(current.State))
        {
            // The previous transaction's markers are still pending: try once more now.
            if (!await CompleteLockedAsync(metadata).ConfigureAwait(false))
            {
                return ErrorCode.ConcurrentTransactions;
            }

            current = metadata.Current;
        }

        if (current.State is TransactionState.Dead or TransactionState.PrepareEpochFence)
        {
            return ErrorCode.ConcurrentTransactions;
        }

        if (current.State == TransactionState.Ongoing && partitions.All(current.Partitions.Contains))
        {
            return ErrorCode.None;
        }

        var now = Now();
        var next = current with
        {
            State = TransactionState.Ongoing,
            Partitions = current.State == TransactionState.Ongoing ? current.Partitions.Union(partitions) : [.. partitions],
            StartTimestamp = current.State == TransactionState.Ongoing ? current.StartTimestamp : now,
            LastUpdateTimestamp = now,
        };
        return TryTransition(metadata, next);
    }

    private async Task<ErrorCode> EndLockedAsync(TransactionMetadata metadata, long producerId, short producerEpoch, bool commit)
    {
        var current = metadata.Current;
        var error = CheckProducer(current, producerId, producerEpoch);
        if (error != ErrorCode.None)
        {
            return error;
        }

        switch (current.State)
        {
            case TransactionState.Ongoing:
                var prepared = current with
                {
                    State = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort,
                    LastUpdateTimestamp = Now(),
                };
                var stored = TryTransition(metadata, prepared);
                if (stored != ErrorCode.None)
                {
                    return stored;
                }

                // The outcome is decided once PrepareCommit/PrepareAbort is written: markers that fail now are retried later.
                metadata.PendingMarkers = [.. prepared.Partitions];
                await CompleteLockedAsync(metadata).ConfigureAwait(false);
                return ErrorCode.None;
            case TransactionState.CompleteCommit:
                return commit ? ErrorCode.None : ErrorCode.InvalidTxnState;
            case TransactionState.CompleteAbort:
                return commit ? ErrorCode.InvalidTxnState : ErrorCode.None;
            case TransactionState.PrepareCommit or TransactionState.PrepareAbort:
                if (commit != (current.State == TransactionState.PrepareCommit))
                {
                    return ErrorCode.InvalidTxnState;
                }

                return await CompleteLockedAsync(metadata).ConfigureAwait(false) ? ErrorCode.None : ErrorCode.ConcurrentTransactions;
            default:
                return ErrorCode.InvalidTxnState;
        }
    }

    /// <summary>
    /// Aborts the Ongoing transaction at a bumped epoch: the producer that opened it is fenced
    /// (KIP-588: the epoch it had is kept as the last epoch, so that producer, and only it, may
    /// claim the new epoch with InitProducerId).
    /// </summary>
    private async Task<ErrorCode> AbortLockedAsync(TransactionMetadata metadata)
    {
        var current = metadata.Current;
        var fenced = current with
        {
            ProducerEpoch = current.ProducerEpoch < short.MaxValue ? (short)(current.ProducerEpoch + 1) : current.ProducerEpoch,
            LastProducerEpoch = current.ProducerEpoch,
            State = TransactionState.PrepareAbort,
            LastUpdateTimestamp = Now(),
        };
        var stored = TryTransition(metadata, fenced);
        if (stored != ErrorCode.None)
        {
            return stored;
        }

        metadata.PendingMarkers = [.. fenced.Partitions];
        await CompleteLockedAsync(metadata).ConfigureAwait(false);
        return ErrorCode.None;
    }

    private async Task AbortTimedOutAsync(TransactionMetadata metadata)
    {
        await metadata.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var current = metadata.Current;
            if (metadata.Closed || current.State != TransactionState.Ongoing || current.Deadline > Now())
            {
                return;
            }

            TransactionCoordinatorLogging.TimedOut(_logger, current.TransactionalId, current.TimeoutMs, (short)(current.ProducerEpoch + 1));
            await AbortLockedAsync(metadata).ConfigureAwait(false);
        }
        finally
        {
            metadata.Gate.Release();
        }
    }

    /// <summary>Finishes a prepared transaction (after a load, or when its markers failed before).</summary>
    private async Task CompleteAsync(TransactionMetadata metadata)
    {
        await metadata.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!metadata.Closed && TransactionStates.IsPreparing(metadata.Current.State))
            {
                await CompleteLockedAsync(metadata).ConfigureAwait(false);
            }
        }
        finally
        {
            metadata.Gate.Release();
        }
    }

    /// <summary>
    /// Writes the markers still pending for a prepared transaction, then CompleteCommit or
    /// CompleteAbort. False when a marker or the final record could not be written yet.
    /// </summary>
    private async Task<bool> CompleteLockedAsync(TransactionMetadata metadata)
    {
        var current = metadata.Current;
        var commit = current.State == TransactionState.PrepareCommit;
        var pending = metadata.PendingMarkers ??= [.. current.Partitions];
        foreach (var partition in pending.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList())
        {
            var error = await WriteMarkerAsync(null, partition.Topic, partition.Partition, current.ProducerId, current.ProducerEpoch, commit, metadata.Shard.CoordinatorEpoch).ConfigureAwait(false);
            if (error is ErrorCode.None or ErrorCode.UnknownTopicOrPartition)
            {
                // A deleted partition has nothing left to mark.
                pending.Remove(partition);
            }
            else
            {
                TransactionCoordinatorLogging.MarkerFailed(_logger, current.TransactionalId, commit ? "commit" : "abort", partition.Topic, partition.Partition, error);
            }
        }

        if (pending.Count > 0)
        {
            return false;
        }

        var complete = current with
        {
            State = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort,
            Partitions = [],
            LastUpdateTimestamp = Now(),
        };
        if (TryTransition(metadata, complete) != ErrorCode.None)
        {
            return false;
        }

        metadata.PendingMarkers = null;
        return true;
    }

    /// <summary>
    /// Appends a commit or abort marker for <paramref name="producerId"/> to a partition, on
    /// <paramref name="nodeId"/> (WriteTxnMarkers) or on its current leader (the coordinator), and
    /// for a <c>__consumer_offsets</c> partition lets the groups there apply or drop the
    /// producer's pending offsets. The batch bypasses client validation (control batches are
    /// refused from Produce).
    /// </summary>
    public async Task<ErrorCode> WriteMarkerAsync(int? nodeId, string topic, int partitionIndex, long producerId, short producerEpoch, bool commit, int coordinatorEpoch)
    {
        if (!_cluster.TryGetTopic(topic, out var topicState) || topicState.IsDeleted || !topicState.TryGetPartition(partitionIndex, out var partition))
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        var leader = nodeId ?? partition.Leadership.LeaderId;
        if (leader < 0)
        {
            return ErrorCode.LeaderNotAvailable;
        }

        var batch = ControlRecord.CreateEndTransactionBatch(commit ? ControlRecordType.Commit : ControlRecordType.Abort, producerId, producerEpoch, coordinatorEpoch, Now());
        ErrorCode error;
        try
        {
            error = partition.Append(leader, batch, acks: -1, AppendOrigin.Coordinator).Error;
        }
        catch (ObjectDisposedException)
        {
            error = ErrorCode.NotLeaderOrFollower;
        }

        if (error == ErrorCode.None && topic == GroupCoordinator.OffsetsTopicName)
        {
            await _groups.CompleteTransactionAsync(partitionIndex, producerId, commit).ConfigureAwait(false);
        }

        return error;
    }

    /// <summary>Writes <paramref name="next"/> to the id's <c>__transaction_state</c> partition and, once it is stored, makes it current.</summary>
    private ErrorCode TryTransition(TransactionMetadata metadata, TransactionSnapshot next)
    {
        var shard = metadata.Shard;
        var batch = TransactionRecords.EncodeBatch(next.TransactionalId, next, Now());
        ErrorCode appended;
        try
        {
            appended = shard.Partition.Append(shard.Owner, batch, acks: -1).Error;
        }
        catch (ObjectDisposedException)
        {
            appended = ErrorCode.NotLeaderOrFollower;
        }

        var error = appended switch
        {
            ErrorCode.None => ErrorCode.None,
            ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable => ErrorCode.NotCoordinator,
            ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge => ErrorCode.UnknownServerError,
            _ => ErrorCode.CoordinatorNotAvailable,
        };
        if (error != ErrorCode.None)
        {
            TransactionCoordinatorLogging.StoreFailed(_logger, next.TransactionalId, appended);
            return error;
        }

        var previous = metadata.Current.State;
        metadata.Current = next;
        TransactionCoordinatorLogging.StateChanged(_logger, next.TransactionalId, previous, next.State, next.ProducerId, next.ProducerEpoch);
        return ErrorCode.None;
    }
}

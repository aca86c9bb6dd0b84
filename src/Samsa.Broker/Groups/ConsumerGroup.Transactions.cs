using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>Offsets committed inside a transaction (TxnOffsetCommit), pending until the transaction ends.</summary>
internal sealed partial class ConsumerGroup
{
    /// <summary>Pending transactional offsets by producer id. Changed on the loop only.</summary>
    private readonly Dictionary<long, Dictionary<TopicPartitionKey, CommittedOffset>> _pendingTransactionalOffsets = [];
    private volatile bool _hasPendingTransactionalOffsets;

    /// <summary>Whether some transaction still holds offsets of this group; readable from any thread.</summary>
    public bool HasPendingTransactionalOffsets => _hasPendingTransactionalOffsets;

    /// <summary>
    /// Writes the offsets as transactional records through <paramref name="append"/> and keeps them
    /// pending for the producer; one error per entry, in order.
    /// </summary>
    public Task<IReadOnlyList<ErrorCode>> CommitTransactionalAsync(TxnOffsetCommitCommand command, Func<IReadOnlyList<GroupRecord>, long, ErrorCode> append) =>
        Run(() => CommitTransactional(command, append));

    /// <summary>The producer's transaction ended: its pending offsets become committed (<paramref name="commit"/>) or are dropped.</summary>
    public Task<bool> CompleteTransactionAsync(long producerId, bool commit) => Run(() =>
    {
        if (!_pendingTransactionalOffsets.Remove(producerId, out var offsets))
        {
            return false;
        }

        if (commit)
        {
            foreach (var (key, offset) in offsets)
            {
                _offsets[key] = offset;
            }
        }

        _hasPendingTransactionalOffsets = _pendingTransactionalOffsets.Count > 0;
        return true;
    });

    /// <summary>Whether an open transaction holds an offset for <paramref name="key"/> (on the loop only).</summary>
    private bool IsPendingInTransaction(TopicPartitionKey key)
    {
        if (!_hasPendingTransactionalOffsets)
        {
            return false;
        }

        foreach (var pending in _pendingTransactionalOffsets.Values)
        {
            if (pending.ContainsKey(key))
            {
                return true;
            }
        }

        return false;
    }

    private IReadOnlyList<ErrorCode> CommitTransactional(TxnOffsetCommitCommand command, Func<IReadOnlyList<GroupRecord>, long, ErrorCode> append)
    {
        var error = ValidateTransactionalOffsetCommit(command);
        if (error != ErrorCode.None)
        {
            return Enumerable.Repeat(error, command.Offsets.Count).ToList();
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var errors = new ErrorCode[command.Offsets.Count];
        var (records, accepted) = BuildOffsetRecords(command.Offsets, now, errors);
        if (records.Count == 0)
        {
            return errors;
        }

        var stored = MapOffsetStoreError(append(records, now));
        if (stored == ErrorCode.None)
        {
            if (!_pendingTransactionalOffsets.TryGetValue(command.ProducerId, out var pending))
            {
                _pendingTransactionalOffsets[command.ProducerId] = pending = [];
            }

            foreach (var (_, key, offset) in accepted)
            {
                pending[key] = offset;
            }

            _hasPendingTransactionalOffsets = true;
        }

        foreach (var (index, _, _) in accepted)
        {
            errors[index] = stored;
        }

        return errors;
    }

    /// <summary>
    /// Kafka's rules for TxnOffsetCommit: generation -1 commits to an Empty group, and so does a
    /// v0-2 request (no member fields) to any group; a request naming a member must be from a current
    /// member (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) at the current generation (ILLEGAL_GENERATION).
    /// </summary>
    private ErrorCode ValidateTransactionalOffsetCommit(TxnOffsetCommitCommand command)
    {
        if (_state == GroupState.Dead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        if (_consumerProtocol is { } consumerProtocol)
        {
            return ValidateConsumerProtocolCommit(consumerProtocol, command.MemberId, command.GenerationId);
        }

        if (command.GenerationId < 0 && _state == GroupState.Empty)
        {
            return ErrorCode.None;
        }

        if (command.GenerationId >= 0 || command.MemberId.Length > 0 || command.GroupInstanceId is not null)
        {
            var error = ValidateMember(command.MemberId, command.GroupInstanceId);
            if (error != ErrorCode.None)
            {
                return error;
            }

            if (command.GenerationId >= 0 && command.GenerationId != _generation)
            {
                return ErrorCode.IllegalGeneration;
            }
        }

        return ErrorCode.None;
    }
}

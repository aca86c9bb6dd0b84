using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups and offset expiry on one group.</summary>
internal sealed partial class ConsumerGroup
{
    /// <summary>Stores the offsets (one batch in <c>__consumer_offsets</c>); one error per entry, in order.</summary>
    public Task<IReadOnlyList<ErrorCode>> CommitAsync(OffsetCommitCommand command) => Run(() => Commit(command));

    /// <summary>The committed offsets of <paramref name="topics"/>, or of every partition that has one when null.</summary>
    public Task<IReadOnlyList<FetchedOffset>> FetchOffsetsAsync(IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics) =>
        Run<IReadOnlyList<FetchedOffset>>(() => FetchOffsets(topics));

    /// <summary>Deletes an empty group and its offsets (tombstones in <c>__consumer_offsets</c>); the group is closed after.</summary>
    public Task<ErrorCode> DeleteAsync() => Run(Delete);

    public Task<OffsetDeleteResult> DeleteOffsetsAsync(IReadOnlyList<TopicPartitionKey> partitions) => Run(() => DeleteOffsets(partitions));

    /// <summary>Drops offsets past retention; true when the group is then empty with no offsets and was removed.</summary>
    public Task<bool> ExpireOffsetsAsync() => Run(ExpireOffsets);

    private IReadOnlyList<ErrorCode> Commit(OffsetCommitCommand command)
    {
        var error = ValidateOffsetCommit(command);
        if (error != ErrorCode.None)
        {
            return Enumerable.Repeat(error, command.Offsets.Count).ToList();
        }

        if (_members.TryGetValue(command.MemberId, out var member))
        {
            // A commit from a member shows it is alive, as a heartbeat does.
            ScheduleSession(member, member.SessionTimeout);
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var errors = new ErrorCode[command.Offsets.Count];
        var (records, accepted) = BuildOffsetRecords(command.Offsets, now, errors);

        if (records.Count == 0)
        {
            return errors;
        }

        var stored = MapOffsetStoreError(_sink.Append(records, now));
        foreach (var (index, key, offset) in accepted)
        {
            errors[index] = stored;
            if (stored == ErrorCode.None)
            {
                _offsets[key] = offset;
            }
        }

        if (stored == ErrorCode.None && _protocolType is null && _members.Count == 0)
        {
            // A group that only stores offsets (no members ever) is still a group to list and describe.
            PublishOverview();
        }

        return errors;
    }

    /// <summary>
    /// The <c>__consumer_offsets</c> records of <paramref name="entries"/> (committed at <paramref name="now"/> unless an
    /// entry gives its own time), with the entries they stand for. An entry whose metadata is too large gets
    /// OFFSET_METADATA_TOO_LARGE in <paramref name="errors"/> and no record.
    /// </summary>
    private (List<GroupRecord> Records, List<(int Index, TopicPartitionKey Key, CommittedOffset Offset)> Accepted) BuildOffsetRecords(
        IReadOnlyList<OffsetCommitEntry> entries, long now, ErrorCode[] errors)
    {
        var records = new List<GroupRecord>(entries.Count);
        var accepted = new List<(int Index, TopicPartitionKey Key, CommittedOffset Offset)>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var metadata = entry.Metadata ?? "";
            if (System.Text.Encoding.UTF8.GetByteCount(metadata) > _settings.OffsetMetadataMaxBytes)
            {
                errors[i] = ErrorCode.OffsetMetadataTooLarge;
                continue;
            }

            var offset = new CommittedOffset(entry.Offset, entry.LeaderEpoch, metadata, entry.CommitTimestamp >= 0 ? entry.CommitTimestamp : now, -1);
            records.Add(new GroupRecord(GroupRecords.OffsetKey(GroupId, entry.Topic, entry.Partition), GroupRecords.OffsetValue(offset)));
            accepted.Add((i, new TopicPartitionKey(entry.Topic, entry.Partition), offset));
        }

        return (records, accepted);
    }

    /// <summary>
    /// Who may commit: anyone to an Empty group with generation -1 (admin tools, consumers without
    /// group management); otherwise only a current member at the current generation, and not
    /// while the group waits for its SyncGroup round (REBALANCE_IN_PROGRESS). A commit during
    /// PreparingRebalance at the current generation is accepted, so eager consumers can commit
    /// before they give up their partitions.
    /// </summary>
    private ErrorCode ValidateOffsetCommit(OffsetCommitCommand command)
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

            if (command.GenerationId != _generation)
            {
                return ErrorCode.IllegalGeneration;
            }
        }
        else if (_state != GroupState.Empty)
        {
            return ErrorCode.UnknownMemberId;
        }

        return _state == GroupState.CompletingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    private List<FetchedOffset> FetchOffsets(IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics)
    {
        if (topics is null)
        {
            return _offsets
                .OrderBy(kv => kv.Key.Topic, StringComparer.Ordinal)
                .ThenBy(kv => kv.Key.Partition)
                .Select(kv => new FetchedOffset(kv.Key.Topic, kv.Key.Partition, kv.Value, IsPendingInTransaction(kv.Key)))
                .ToList();
        }

        var result = new List<FetchedOffset>();
        foreach (var (topic, partitions) in topics)
        {
            foreach (var partition in partitions)
            {
                var key = new TopicPartitionKey(topic, partition);
                _offsets.TryGetValue(key, out var committed);
                result.Add(new FetchedOffset(topic, partition, committed, IsPendingInTransaction(key)));
            }
        }

        return result;
    }

    private ErrorCode Delete()
    {
        switch (_state)
        {
            case GroupState.Dead:
                return ErrorCode.GroupIdNotFound;
            case GroupState.Empty:
                var records = _offsets.Keys
                    .Select(k => new GroupRecord(GroupRecords.OffsetKey(GroupId, k.Topic, k.Partition), null))
                    .Concat(GroupRecordTombstones())
                    .ToList();
                var error = MapGroupStoreError(_sink.Append(records, _time.GetUtcNow().ToUnixTimeMilliseconds()));
                if (error != ErrorCode.None)
                {
                    return error;
                }

                _offsets.Clear();
                Transition(GroupState.Dead);
                GroupLogging.GroupDeleted(_logger, GroupId);
                Shutdown(ErrorCode.CoordinatorNotAvailable);
                return ErrorCode.None;
            default:
                return ErrorCode.NonEmptyGroup;
        }
    }

    /// <summary>
    /// Kafka's OffsetDelete rules: an Empty group may lose any offset; a consumer group with members
    /// only those of topics none of its members subscribes to (GROUP_SUBSCRIBED_TO_TOPIC otherwise);
    /// a group of another protocol type with members none (NON_EMPTY_GROUP).
    /// </summary>
    private OffsetDeleteResult DeleteOffsets(IReadOnlyList<TopicPartitionKey> partitions)
    {
        if (_state == GroupState.Dead)
        {
            return new OffsetDeleteResult(ErrorCode.GroupIdNotFound, []);
        }

        var errors = new ErrorCode[partitions.Count];
        if (_state != GroupState.Empty)
        {
            if (_protocolType != GroupStates.ConsumerProtocolType)
            {
                return new OffsetDeleteResult(ErrorCode.NonEmptyGroup, []);
            }

            for (var i = 0; i < partitions.Count; i++)
            {
                if (_subscribedTopics is null || _subscribedTopics.Contains(partitions[i].Topic))
                {
                    errors[i] = ErrorCode.GroupSubscribedToTopic;
                }
            }
        }

        var deletable = new List<(int Index, TopicPartitionKey Key)>();
        for (var i = 0; i < partitions.Count; i++)
        {
            if (errors[i] == ErrorCode.None && _offsets.ContainsKey(partitions[i]))
            {
                deletable.Add((i, partitions[i]));
            }
        }

        if (deletable.Count == 0)
        {
            return new OffsetDeleteResult(ErrorCode.None, errors);
        }

        var records = deletable.Select(d => new GroupRecord(GroupRecords.OffsetKey(GroupId, d.Key.Topic, d.Key.Partition), null)).ToList();
        var stored = MapOffsetStoreError(_sink.Append(records, _time.GetUtcNow().ToUnixTimeMilliseconds()));
        if (stored != ErrorCode.None)
        {
            return new OffsetDeleteResult(stored, []);
        }

        foreach (var (_, key) in deletable)
        {
            _offsets.Remove(key);
        }

        return new OffsetDeleteResult(ErrorCode.None, errors);
    }

    /// <summary>
    /// KIP-211: the offsets of an Empty group expire a retention period after it became Empty; a
    /// consumer group with members keeps offsets of subscribed topics and loses others a retention
    /// period after their commit. An Empty group without offsets is deleted (tombstoned).
    /// </summary>
    private bool ExpireOffsets()
    {
        var now = _time.GetUtcNow();
        var retention = _settings.OffsetsRetention;
        List<TopicPartitionKey> expired;
        if (_state == GroupState.Empty)
        {
            expired = _stateChanged + retention <= now ? [.. _offsets.Keys] : [];
        }
        else if (_protocolType == GroupStates.ConsumerProtocolType && _subscribedTopics is not null && _state == GroupState.Stable)
        {
            expired = _offsets
                .Where(kv => !_subscribedTopics.Contains(kv.Key.Topic) && DateTimeOffset.FromUnixTimeMilliseconds(kv.Value.CommitTimestamp) + retention <= now)
                .Select(kv => kv.Key)
                .ToList();
        }
        else
        {
            return false;
        }

        // As Kafka's cleanup does: an Empty group left without offsets is removed at once.
        var removeGroup = _state == GroupState.Empty && expired.Count == _offsets.Count && _pendingMembers.Count == 0;
        if (expired.Count == 0 && !removeGroup)
        {
            return false;
        }

        var records = expired.Select(k => new GroupRecord(GroupRecords.OffsetKey(GroupId, k.Topic, k.Partition), null)).ToList();
        if (removeGroup)
        {
            records.AddRange(GroupRecordTombstones());
        }

        if (_sink.Append(records, now.ToUnixTimeMilliseconds()) != ErrorCode.None)
        {
            return false;
        }

        foreach (var key in expired)
        {
            _offsets.Remove(key);
        }

        if (expired.Count > 0)
        {
            GroupLogging.OffsetsExpired(_logger, GroupId, expired.Count);
        }

        if (!removeGroup)
        {
            return false;
        }

        Transition(GroupState.Dead);
        Shutdown(ErrorCode.CoordinatorNotAvailable);
        return true;
    }
}

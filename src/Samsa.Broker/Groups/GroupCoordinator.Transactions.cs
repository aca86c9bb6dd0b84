using Samsa.Broker.Coordination;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// The group side of transactions (TxnOffsetCommit): offsets committed in a transaction are written
/// to <c>__consumer_offsets</c> as transactional records at once, but are kept pending in the
/// group, invisible to OffsetFetch, until the transaction coordinator writes the producer's
/// commit marker to that partition (they become the committed offsets) or its abort marker (they
/// are dropped). Replay applies them the same way, by their markers.
/// </summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>The <c>__consumer_offsets</c> partition of <paramref name="groupId"/> (creating the topic on first use); -1 when the topic cannot be created.</summary>
    public int OffsetsPartitionFor(string groupId)
    {
        EnsureOffsetsTopic(out var topic);
        return topic is null || topic.Partitions.Count == 0 ? -1 : PartitionFor(groupId, topic.Partitions.Count);
    }

    /// <summary>
    /// TxnOffsetCommit: stores the offsets as pending offsets of producer
    /// <see cref="TxnOffsetCommitCommand.ProducerId"/>; one error per entry, in order. Partitions of
    /// unknown topics get UNKNOWN_TOPIC_OR_PARTITION. A group that does not exist is created.
    /// </summary>
    public Task<IReadOnlyList<ErrorCode>> CommitTransactionalOffsetsAsync(int nodeId, string groupId, TxnOffsetCommitCommand command) =>
        CommitKnownPartitionsAsync(command.Offsets, known =>
        {
            int partition;
            lock (_lock)
            {
                partition = _shards.Count == 0 ? -1 : PartitionFor(groupId, _shards.Count);
            }

            return WithGroupAsync<IReadOnlyList<ErrorCode>>(
                nodeId,
                groupId,
                create: true,
                group => group.CommitTransactionalAsync(
                    command with { Offsets = known },
                    (records, timestamp) => _store.AppendTransactional(partition, nodeId, records, timestamp, command.ProducerId, command.ProducerEpoch)),
                error => Enumerable.Repeat(error, known.Count).ToList(),
                () => Enumerable.Repeat(ErrorCode.CoordinatorNotAvailable, known.Count).ToList());
        });

    /// <summary>
    /// A commit or abort marker of <paramref name="producerId"/> was written to <c>__consumer_offsets</c>
    /// partition <paramref name="partition"/>: the groups there holding pending offsets of that
    /// producer apply or drop them. Returns once they have.
    /// </summary>
    public async Task CompleteTransactionAsync(int partition, long producerId, bool commit)
    {
        List<ConsumerGroup> groups;
        lock (_lock)
        {
            if (_shards.IsStopped || (uint)partition >= (uint)_shards.Count || _shards[partition].Status != ShardStatus.Loaded)
            {
                return;
            }

            groups = _shards[partition].Items.Values.Where(g => g.HasPendingTransactionalOffsets).ToList();
        }

        foreach (var group in groups)
        {
            try
            {
                await group.CompleteTransactionAsync(producerId, commit).ConfigureAwait(false);
            }
            catch (GroupClosedException)
            {
                // Moved or deleted meanwhile: a replay applies the records by their markers.
            }
        }
    }
}

/// <summary>A TxnOffsetCommit as the group sees it: the producer of the transaction and the member committing.</summary>
internal sealed record TxnOffsetCommitCommand(
    long ProducerId,
    short ProducerEpoch,
    int GenerationId,
    string MemberId,
    string? GroupInstanceId,
    IReadOnlyList<OffsetCommitEntry> Offsets);

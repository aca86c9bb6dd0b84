using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// OffsetCommit (key 8), versions 0-9.
/// Stores committed offsets (with metadata and leader epoch) as OffsetCommit records in
/// <c>__consumer_offsets</c>, durably before answering. A member of a group commits at its
/// generation; a commit with generation -1 and no member id (admin tools, consumers without group
/// management) is accepted only while the group is Empty. Errors per partition:
/// UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
/// FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS (group waiting for SyncGroup), NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE. For a consumer-protocol (KIP-848)
/// group the generation field is the member epoch: UNKNOWN_MEMBER_ID for a member it does not
/// have, STALE_MEMBER_EPOCH for an epoch other than the member's.
/// Behavior: v2-v4's retention time is ignored: every offset follows the broker's retention
/// (offsets.retention.minutes, counted from when the group became Empty), as Kafka does since 2.1
/// for groups with members.
/// Version notes: v1 generation, member id and a per-partition commit timestamp; v2 retention time
/// (commit timestamp gone); v3 throttle time; v5 retention time gone; v6 leader epoch; v7 group
/// instance id; v8 flexible; v9 same as v8 (the version KIP-848 members use; Kafka refuses older versions from them, which is not checked here).
/// </summary>
internal sealed class OffsetCommitHandler(GroupCoordinator groups) : RequestHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ApiKey ApiKey => ApiKey.OffsetCommit;

    public override short MinVersion => 0;

    public override short MaxVersion => 9;

    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        var version = context.ApiVersion;
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new OffsetCommitResponse
            {
                Topics = request.Topics.Select(t => new OffsetCommitResponse.OffsetCommitResponseTopic
                {
                    Name = t.Name,
                    Partitions = t.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)ErrorCode.GroupAuthorizationFailed }).ToList(),
                }).ToList(),
            };
        }

        // As KafkaApis: a topic the principal may not READ is TOPIC_AUTHORIZATION_FAILED and not committed; the rest go on.
        var allowed = request.Topics.Select(t => t.Name).Distinct(StringComparer.Ordinal)
            .Where(name => context.Authorize(AclOperation.Read, AclResourceType.Topic, name))
            .ToHashSet(StringComparer.Ordinal);
        var entries = new List<OffsetCommitEntry>();
        foreach (var topic in request.Topics.Where(t => allowed.Contains(t.Name)))
        {
            foreach (var partition in topic.Partitions)
            {
                entries.Add(new OffsetCommitEntry(
                    topic.Name,
                    partition.PartitionIndex,
                    partition.CommittedOffset,
                    version >= 6 ? partition.CommittedLeaderEpoch : -1,
                    partition.CommittedMetadata,
                    version == 1 ? partition.CommitTimestamp : -1));
            }
        }

        var command = new OffsetCommitCommand(
            version >= 1 ? request.GenerationIdOrMemberEpoch : -1,
            version >= 1 ? request.MemberId : "",
            version >= 7 ? request.GroupInstanceId : null,
            entries);
        var errors = entries.Count == 0 && request.Topics.Count > 0 ? [] : await groups.CommitOffsetsAsync(context.Node.Id, request.GroupId, command).ConfigureAwait(false);
        var response = new OffsetCommitResponse();
        var index = 0;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = allowed.Contains(topic.Name) ? (short)errors[index++] : (short)ErrorCode.TopicAuthorizationFailed,
                });
            }

            response.Topics.Add(topicResponse);
        }

        return response;
    }
}

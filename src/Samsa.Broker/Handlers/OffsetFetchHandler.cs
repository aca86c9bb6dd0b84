using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// OffsetFetch (key 9), versions 0-9.
/// Returns committed offsets (offset, leader epoch, metadata) of the requested partitions, or of
/// every partition with a committed offset when the topic list is null; -1 where nothing is
/// committed (also for a group that does not exist). From v8 several groups per request, each
/// answered separately (NOT_COORDINATOR for groups another node coordinates).
/// Behavior: with require_stable (v7+), a partition whose offset an open transaction holds
/// (TxnOffsetCommit not yet ended) answers UNSTABLE_OFFSET_COMMIT, which clients retry, as Kafka does.
/// v9's member id and epoch are checked for consumer-protocol (KIP-848) groups: UNKNOWN_MEMBER_ID
/// or STALE_MEMBER_EPOCH for the group when they do not name a current member at its epoch.
/// Version notes: v0 and v1 both read <c>__consumer_offsets</c> here and carry group errors per
/// partition; v2 null topic list (all) and a top-level error; v3 throttle time; v5 leader epoch;
/// v6 flexible; v7 require_stable; v8 batched groups; v9 member id and epoch.
/// </summary>
internal sealed class OffsetFetchHandler(GroupCoordinator groups) : RequestHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override ApiKey ApiKey => ApiKey.OffsetFetch;

    public override short MinVersion => 0;

    public override short MaxVersion => 9;

    protected override async ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        var version = context.ApiVersion;
        var response = new OffsetFetchResponse();

        // As KafkaApis: topics the principal may not DESCRIBE are left out of an all-topics answer and
        // answered TOPIC_AUTHORIZATION_FAILED (no offset) when named.
        var describable = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool MayDescribe(string topic) => describable.TryGetValue(topic, out var known) ? known
            : describable[topic] = context.Authorize(AclOperation.Describe, AclResourceType.Topic, topic);
        if (version >= 8)
        {
            foreach (var group in request.Groups)
            {
                if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, group.GroupId))
                {
                    response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)ErrorCode.GroupAuthorizationFailed });
                    continue;
                }

                var topics = group.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
                var (error, offsets) = version >= 9
                    ? await groups.FetchOffsetsAsync(context.Node.Id, group.GroupId, topics, group.MemberId, group.MemberEpoch).ConfigureAwait(false)
                    : await groups.FetchOffsetsAsync(context.Node.Id, group.GroupId, topics).ConfigureAwait(false);
                var groupResponse = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)error };
                var requireStable = request.RequireStable;
                foreach (var byTopic in offsets.GroupBy(o => o.Topic, StringComparer.Ordinal))
                {
                    var denied = !MayDescribe(byTopic.Key);
                    if (denied && group.Topics is null)
                    {
                        continue;
                    }

                    groupResponse.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopics
                    {
                        Name = byTopic.Key,
                        Partitions = byTopic.Select(o => denied
                            ? new OffsetFetchResponse.OffsetFetchResponsePartitions { PartitionIndex = o.Partition, CommittedOffset = -1, CommittedLeaderEpoch = -1, Metadata = "", ErrorCode = (short)ErrorCode.TopicAuthorizationFailed }
                            : new OffsetFetchResponse.OffsetFetchResponsePartitions
                            {
                                PartitionIndex = o.Partition,
                                CommittedOffset = o.Committed?.Offset ?? -1,
                                CommittedLeaderEpoch = o.Committed?.LeaderEpoch ?? -1,
                                Metadata = o.Committed?.Metadata ?? "",
                                ErrorCode = requireStable && o.PendingInTransaction ? (short)ErrorCode.UnstableOffsetCommit : (short)0,
                            }).ToList(),
                    });
                }

                response.Groups.Add(groupResponse);
            }

            return response;
        }

        if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, request.GroupId))
        {
            response.ErrorCode = (short)ErrorCode.GroupAuthorizationFailed;
            return response;
        }

        var requested = version >= 2 && request.Topics is null
            ? null
            : (request.Topics ?? []).Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
        var (fetchError, fetched) = await groups.FetchOffsetsAsync(context.Node.Id, request.GroupId, requested).ConfigureAwait(false);
        if (fetchError != ErrorCode.None)
        {
            if (version >= 2)
            {
                response.ErrorCode = (short)fetchError;
                return response;
            }

            // v0 and v1 have no top-level error: every requested partition carries it.
            fetched = requested!.SelectMany(t => t.Item2.Select(p => new FetchedOffset(t.Name, p, null))).ToList();
        }

        foreach (var byTopic in fetched.GroupBy(o => o.Topic, StringComparer.Ordinal))
        {
            var denied = !MayDescribe(byTopic.Key);
            if (denied && requested is null)
            {
                continue;
            }

            response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
            {
                Name = byTopic.Key,
                Partitions = byTopic.Select(o => denied
                    ? new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = o.Partition, CommittedOffset = -1, CommittedLeaderEpoch = -1, Metadata = "", ErrorCode = (short)ErrorCode.TopicAuthorizationFailed }
                    : new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = o.Partition,
                    CommittedOffset = o.Committed?.Offset ?? -1,
                    CommittedLeaderEpoch = version >= 5 ? o.Committed?.LeaderEpoch ?? -1 : -1,
                    Metadata = o.Committed?.Metadata ?? "",
                    ErrorCode = fetchError == ErrorCode.None && version >= 7 && request.RequireStable && o.PendingInTransaction
                        ? (short)ErrorCode.UnstableOffsetCommit
                        : (short)fetchError,
                }).ToList(),
            });
        }

        return response;
    }
}

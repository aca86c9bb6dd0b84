using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// OffsetDelete (key 47), version 0.
/// Deletes committed offsets of a group (tombstones in <c>__consumer_offsets</c>). An Empty group
/// may lose any; a consumer group with members only those of topics none of them subscribes to
/// (GROUP_SUBSCRIBED_TO_TOPIC per partition otherwise). Group-level errors: GROUP_ID_NOT_FOUND,
/// NON_EMPTY_GROUP (members of another protocol type), NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS; UNKNOWN_TOPIC_OR_PARTITION per partition. Behavior: as Kafka.
/// </summary>
internal sealed class OffsetDeleteHandler(GroupCoordinator groups) : RequestHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ApiKey ApiKey => ApiKey.OffsetDelete;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override async ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        var partitions = request.Topics
            .SelectMany(t => t.Partitions.Select(p => new TopicPartitionKey(t.Name, p.PartitionIndex)))
            .ToList();
        if (!context.Authorize(AclOperation.Delete, AclResourceType.Group, request.GroupId))
        {
            return new OffsetDeleteResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed };
        }

        var result = await groups.DeleteOffsetsAsync(context.Node.Id, request.GroupId, partitions).ConfigureAwait(false);
        var response = new OffsetDeleteResponse { ErrorCode = (short)result.Error };
        if (result.Error != ErrorCode.None)
        {
            return response;
        }

        var index = 0;
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)result.PartitionErrors[index++],
                });
            }

            response.Topics.Add(topicResponse);
        }

        return response;
    }
}

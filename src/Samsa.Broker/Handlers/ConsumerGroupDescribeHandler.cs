using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// ConsumerGroupDescribe (key 69), version 0: consumer-protocol (KIP-848) groups with their state
/// (Empty, Assigning, Reconciling, Stable), group and assignment epochs, assignor, and each
/// member's subscription, current and target assignment (topics named; deleted topics left out).
/// GROUP_ID_NOT_FOUND for a group that does not exist or is a classic group; INVALID_GROUP_ID for "".
/// Needs DESCRIBE on each group, else that group is GROUP_AUTHORIZATION_FAILED (as KafkaApis checks it).
/// The authorized operations asked for are what the principal may do to the group; without an
/// authorizer, READ, DELETE and DESCRIBE.
/// </summary>
internal sealed class ConsumerGroupDescribeHandler(GroupCoordinator groups) : RequestHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>
{
    /// <summary>Bits of Kafka's ACL operations READ (3), DELETE (6) and DESCRIBE (8).</summary>
    private const int AllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

    /// <summary>Kafka's marker for "authorized operations not computed".</summary>
    private const int AuthorizedOperationsOmitted = int.MinValue;

    public override ApiKey ApiKey => ApiKey.ConsumerGroupDescribe;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override async ValueTask<ConsumerGroupDescribeResponse?> HandleAsync(RequestContext context, ConsumerGroupDescribeRequest request)
    {
        var response = new ConsumerGroupDescribeResponse();
        foreach (var groupId in request.GroupIds)
        {
            if (!context.Authorize(AclOperation.Describe, AclResourceType.Group, groupId))
            {
                response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup
                {
                    ErrorCode = (short)ErrorCode.GroupAuthorizationFailed,
                    ErrorMessage = null,
                    GroupId = groupId,
                    AuthorizedOperations = AuthorizedOperationsOmitted,
                });
                continue;
            }

            var description = await groups.DescribeConsumerGroupAsync(context.Node.Id, groupId).ConfigureAwait(false);
            response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup
            {
                ErrorCode = (short)description.Error,
                ErrorMessage = description.ErrorMessage,
                GroupId = groupId,
                GroupState = description.State,
                GroupEpoch = description.GroupEpoch,
                AssignmentEpoch = description.AssignmentEpoch,
                AssignorName = description.AssignorName,
                AuthorizedOperations = !request.IncludeAuthorizedOperations ? AuthorizedOperationsOmitted
                    : context.Cluster.Authorizer is null ? AllGroupOperations
                    : context.AuthorizedOperations(AclResourceType.Group, groupId),
                Members = description.Members.Select(m => new ConsumerGroupDescribeResponse.Member
                {
                    MemberId = m.Member.MemberId,
                    InstanceId = m.Member.InstanceId,
                    RackId = m.Member.RackId,
                    MemberEpoch = m.Member.MemberEpoch,
                    ClientId = m.Member.ClientId,
                    ClientHost = m.Member.ClientHost,
                    SubscribedTopicNames = [.. m.Member.SubscribedTopicNames],
                    SubscribedTopicRegex = m.Member.SubscribedTopicRegex,
                    Assignment = Named(context, m.Member.Assigned),
                    TargetAssignment = Named(context, m.Target),
                }).ToList(),
            });
        }

        return response;
    }

    private static ConsumerGroupDescribeResponse.Assignment Named(RequestContext context, PartitionAssignment assignment) => new()
    {
        TopicPartitions = assignment.ByTopic
            .Where(kv => context.Cluster.TryGetTopic(kv.Key, out _))
            .Select(kv => new ConsumerGroupDescribeResponse.TopicPartitions
            {
                TopicId = kv.Key,
                TopicName = context.Cluster.TryGetTopic(kv.Key, out var topic) ? topic.Name : "",
                Partitions = [.. kv.Value],
            })
            .ToList(),
    };
}

using Samsa.Broker.Cluster;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// CreateTopics (key 19), versions 0-7.
/// Creates each topic with the requested partitions and replication factor (-1 for the broker
/// defaults) or an explicit replica assignment, and validated configs; validate-only checks
/// without creating. Errors per topic: INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS,
/// INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR (more replicas than live nodes),
/// INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST (a topic named twice). A request
/// for more than <see cref="MaxPartitionsPerRequest"/> partitions in all is refused whole with
/// POLICY_VIOLATION, as Kafka's controller refuses it before allocating anything.
/// Version notes: v1 validate-only and error messages; v4 -1 defaults; v5 flexible, and the
/// answer carries partitions, replication factor and every config with its source; v7 topic id.
/// </summary>
internal sealed class CreateTopicsHandler : RequestHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ApiKey ApiKey => ApiKey.CreateTopics;

    public override short MinVersion => 0;

    public override short MaxVersion => 7;

    /// <summary>Kafka's bound on the partitions one CreateTopics request may ask for (ReplicationControlManager.MAX_PARTITIONS_PER_BATCH).</summary>
    public const int MaxPartitionsPerRequest = 10_000;

    protected override ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var version = context.ApiVersion;
        var response = new CreateTopicsResponse();
        var clusterCreate = context.AuthorizeCluster(AclOperation.Create);
        if (RequestedPartitions(request, context.Cluster.Options.DefaultPartitions) > MaxPartitionsPerRequest)
        {
            foreach (var requested in request.Topics)
            {
                var refused = new CreateTopicsResponse.CreatableTopicResult { Name = requested.Name };
                SetError(refused, ErrorCode.PolicyViolation, "Excessively large number of partitions per request.", version);
                response.Topics.Add(refused);
            }

            return ValueTask.FromResult<CreateTopicsResponse?>(response);
        }

        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var requested in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = requested.Name };
            response.Topics.Add(result);
            if (duplicates.Contains(requested.Name))
            {
                SetError(result, ErrorCode.InvalidRequest, $"Create topics request from client `{context.ClientId}` contains multiple entries for the following topics: {requested.Name}", version);
                continue;
            }

            if (!clusterCreate && !context.Authorize(AclOperation.Create, AclResourceType.Topic, requested.Name))
            {
                SetError(result, ErrorCode.TopicAuthorizationFailed, "Authorization failed.", version);
                continue;
            }

            var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var config in requested.Configs)
            {
                configs[config.Name] = config.Value;
            }

            var assignment = requested.Assignments.Count == 0
                ? null
                : requested.Assignments.OrderBy(a => a.PartitionIndex).Select(a => a.BrokerIds.ToArray()).ToList();
            if (assignment is not null && requested.Assignments.Select(a => a.PartitionIndex).Order().Where((p, i) => p != i).Any())
            {
                SetError(result, ErrorCode.InvalidReplicaAssignment, "Partitions should be a consecutive 0-based integer sequence.", version);
                continue;
            }

            var outcome = context.Cluster.CreateTopic(requested.Name, requested.NumPartitions, requested.ReplicationFactor, assignment, configs, request.ValidateOnly);
            if (outcome.Error != ErrorCode.None)
            {
                SetError(result, outcome.Error, outcome.Message, version);
                continue;
            }

            if (version >= 7 && outcome.Topic is not null)
            {
                result.TopicId = outcome.Topic.Id;
            }

            if (version >= 5)
            {
                result.NumPartitions = outcome.Partitions;
                result.ReplicationFactor = outcome.ReplicationFactor;
                result.Configs = [];
                foreach (var definition in TopicConfigDefinitions.All)
                {
                    var (value, source) = outcome.Config!.Resolve(definition);
                    result.Configs.Add(new CreateTopicsResponse.CreatableTopicConfigs
                    {
                        Name = definition.Name,
                        Value = value,
                        ReadOnly = false,
                        ConfigSource = (sbyte)source,
                        IsSensitive = false,
                    });
                }
            }
        }

        return ValueTask.FromResult<CreateTopicsResponse?>(response);
    }

    /// <summary>An upper bound of the partitions the request asks for, as Kafka counts it: -1 means the default, invalid counts add nothing.</summary>
    private static long RequestedPartitions(CreateTopicsRequest request, int defaultPartitions)
    {
        long total = 0;
        foreach (var topic in request.Topics)
        {
            total += topic.Assignments.Count > 0 ? topic.Assignments.Count
                : topic.NumPartitions == -1 ? defaultPartitions
                : Math.Max(topic.NumPartitions, 0);
        }

        return total;
    }

    private static void SetError(CreateTopicsResponse.CreatableTopicResult result, ErrorCode error, string? message, short version)
    {
        result.ErrorCode = (short)error;
        result.ErrorMessage = version >= 1 ? message : null;
        result.Configs = version >= 5 ? null : [];
    }
}

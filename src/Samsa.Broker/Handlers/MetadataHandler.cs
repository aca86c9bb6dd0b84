using Samsa.Broker.Cluster;
using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Storage;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Metadata (key 3), versions 0-12.
/// Lists live brokers, the cluster id, the controller (the lowest live node) and, for the requested
/// topics (all when the list is null, or empty before v1), each partition's leader, epoch, replicas,
/// in-sync and offline replicas. Unknown topics are created only when the broker's auto-create
/// setting is on (off by default, as in production) and the request allows it.
/// Authorization as Kafka: topics the principal may not DESCRIBE are left out of an all-topics
/// answer and answered TOPIC_AUTHORIZATION_FAILED when named; auto-creation needs CREATE on the
/// cluster or the topic. Authorized operations, when asked for, are what the principal may do
/// (every supported operation without an authorizer); the cluster's need DESCRIBE on it, else 0.
/// Version notes: v1 nullable topic list, racks, controller and internal flag; v2 cluster id; v4
/// AllowAutoTopicCreation; v5 offline replicas; v7 leader epoch; v8 topic and cluster authorized
/// operations; v9 flexible; v10 topic ids (lookup by id from v12's null names); v11 drops the
/// cluster's authorized operations (DescribeCluster reports them).
/// </summary>
internal sealed class MetadataHandler : RequestHandler<MetadataRequest, MetadataResponse>
{
    private const int AuthorizedOperationsOmitted = ResourceOperations.Omitted;

    public override ApiKey ApiKey => ApiKey.Metadata;

    public override short MinVersion => 0;

    public override short MaxVersion => 12;

    protected override ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request)
    {
        var cluster = context.Cluster;
        var version = context.ApiVersion;
        var response = new MetadataResponse
        {
            ClusterId = version >= 2 ? cluster.ClusterId : null,
            ControllerId = version >= 1 ? cluster.ControllerId : -1,
            ClusterAuthorizedOperations = AuthorizedOperationsOmitted,
        };
        if (version is >= 8 and <= 10 && request.IncludeClusterAuthorizedOperations)
        {
            response.ClusterAuthorizedOperations = context.AuthorizeCluster(AclOperation.Describe)
                ? context.AuthorizedOperations(AclResourceType.Cluster, ResourceOperations.ClusterName)
                : 0;
        }

        foreach (var node in cluster.Nodes)
        {
            if (node.IsAlive)
            {
                response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = node.Id, Host = node.Host, Port = node.Port });
            }
        }

        var allTopics = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (var topic in cluster.Topics.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                // Topics the principal may not describe are not disclosed at all.
                if (context.Authorize(AclOperation.Describe, AclResourceType.Topic, topic.Name))
                {
                    response.Topics.Add(Describe(topic, version));
                }
            }
        }
        else
        {
            var autoCreate = cluster.Options.AutoCreateTopics && (version < 4 || request.AllowAutoTopicCreation);
            foreach (var requested in request.Topics!)
            {
                response.Topics.Add(Lookup(context, requested, autoCreate, version));
            }
        }

        if (version >= 8 && request.IncludeTopicAuthorizedOperations)
        {
            foreach (var topic in response.Topics)
            {
                if (topic.ErrorCode != (short)ErrorCode.TopicAuthorizationFailed && topic.Name is { } name)
                {
                    topic.TopicAuthorizedOperations = context.AuthorizedOperations(AclResourceType.Topic, name);
                }
            }
        }

        return ValueTask.FromResult<MetadataResponse?>(response);
    }

    private static MetadataResponse.MetadataResponseTopic Lookup(RequestContext context, MetadataRequest.MetadataRequestTopic requested, bool autoCreate, short version)
    {
        var cluster = context.Cluster;
        if (requested.Name is null)
        {
            if (!cluster.TryGetTopic(requested.TopicId, out var byId))
            {
                return Error(ErrorCode.UnknownTopicId, null, requested.TopicId, version);
            }

            // Topic ids are not secret, so a denied lookup by id keeps the id (as Kafka does).
            return context.Authorize(AclOperation.Describe, AclResourceType.Topic, byId.Name)
                ? Describe(byId, version)
                : Error(ErrorCode.TopicAuthorizationFailed, null, requested.TopicId, version);
        }

        if (!context.Authorize(AclOperation.Describe, AclResourceType.Topic, requested.Name))
        {
            return Error(ErrorCode.TopicAuthorizationFailed, requested.Name, Guid.Empty, version);
        }

        if (cluster.TryGetTopic(requested.Name, out var topic))
        {
            return Describe(topic, version);
        }

        if (autoCreate && !context.AuthorizeCluster(AclOperation.Create) && !context.Authorize(AclOperation.Create, AclResourceType.Topic, requested.Name))
        {
            return Error(ErrorCode.TopicAuthorizationFailed, requested.Name, Guid.Empty, version);
        }

        if (TopicNames.Validate(requested.Name) is not null)
        {
            return Error(ErrorCode.InvalidTopicException, requested.Name, Guid.Empty, version);
        }

        if (autoCreate)
        {
            var created = cluster.CreateTopic(requested.Name, -1, -1, null, new Dictionary<string, string?>(), validateOnly: false);
            if (created.Topic is not null)
            {
                return Describe(created.Topic, version);
            }

            if (created.Error == ErrorCode.TopicAlreadyExists && cluster.TryGetTopic(requested.Name, out topic))
            {
                return Describe(topic, version);
            }

            return Error(created.Error == ErrorCode.InvalidReplicationFactor ? ErrorCode.LeaderNotAvailable : created.Error, requested.Name, Guid.Empty, version);
        }

        return Error(ErrorCode.UnknownTopicOrPartition, requested.Name, Guid.Empty, version);
    }

    private static MetadataResponse.MetadataResponseTopic Error(ErrorCode error, string? name, Guid id, short version) => new()
    {
        ErrorCode = (short)error,
        Name = name ?? (version >= 12 ? null : string.Empty),
        TopicId = version >= 10 ? id : Guid.Empty,
        TopicAuthorizedOperations = AuthorizedOperationsOmitted,
    };

    private static MetadataResponse.MetadataResponseTopic Describe(TopicState topic, short version)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = version >= 10 ? topic.Id : Guid.Empty,
            IsInternal = version >= 1 && topic.IsInternal,
            TopicAuthorizedOperations = AuthorizedOperationsOmitted,
        };
        foreach (var partition in topic.Partitions)
        {
            var leadership = partition.Leadership;
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)(leadership.LeaderId < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
                PartitionIndex = partition.Index,
                LeaderId = leadership.LeaderId,
                LeaderEpoch = version >= 7 ? leadership.LeaderEpoch : -1,
                ReplicaNodes = [.. leadership.Replicas],
                IsrNodes = [.. leadership.Isr],
                OfflineReplicas = version >= 5 ? [.. partition.OfflineReplicas()] : [],
            });
        }

        return result;
    }
}

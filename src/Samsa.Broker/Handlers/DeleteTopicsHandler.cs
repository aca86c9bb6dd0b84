using Samsa.Broker.Cluster;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DeleteTopics (key 20), versions 0-6.
/// Deletes each named topic (or, from v6, each topic id) and its data on every node. Errors per
/// topic: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, INVALID_REQUEST (both or neither of name and
/// id), TOPIC_DELETION_DISABLED is never returned.
/// Version notes: v1 throttle time; v4 flexible; v5 error messages; v6 topics by name or id.
/// </summary>
internal sealed class DeleteTopicsHandler : RequestHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override ApiKey ApiKey => ApiKey.DeleteTopics;

    public override short MinVersion => 0;

    public override short MaxVersion => 6;

    protected override ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request)
    {
        var version = context.ApiVersion;
        var response = new DeleteTopicsResponse();
        var requests = version >= 6
            ? request.Topics.Select(t => (t.Name, t.TopicId))
            : request.TopicNames.Select(n => ((string?)n, Guid.Empty));
        foreach (var (name, id) in requests)
        {
            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = version >= 6 ? id : Guid.Empty };
            response.Responses.Add(result);
            TopicState? topic = null;
            ErrorCode error;
            string? message = null;
            if (name is not null && id != Guid.Empty)
            {
                error = ErrorCode.InvalidRequest;
                message = "A topic must be named by its name or its id, not both.";
            }
            else if (name is not null)
            {
                error = context.Cluster.TryGetTopic(name, out topic) ? ErrorCode.None : ErrorCode.UnknownTopicOrPartition;
            }
            else if (id != Guid.Empty)
            {
                error = context.Cluster.TryGetTopic(id, out topic) ? ErrorCode.None : ErrorCode.UnknownTopicId;
                result.Name = topic?.Name;
            }
            else
            {
                error = ErrorCode.InvalidRequest;
                message = "A topic must be named by its name or its id.";
            }

            if (error == ErrorCode.None && !context.Authorize(AclOperation.Delete, AclResourceType.Topic, topic!.Name))
            {
                error = ErrorCode.TopicAuthorizationFailed;
                message = "Authorization failed.";
            }

            if (error == ErrorCode.None && topic!.IsInternal)
            {
                error = ErrorCode.TopicAuthorizationFailed;
                message = $"Internal topic {topic.Name} cannot be deleted.";
            }

            if (error == ErrorCode.None)
            {
                context.Cluster.DeleteTopic(topic!);
            }

            result.ErrorCode = (short)error;
            result.ErrorMessage = version >= 5 ? message : null;
            if (version < 6 && result.Name is null)
            {
                result.Name = string.Empty;
            }
        }

        return ValueTask.FromResult<DeleteTopicsResponse?>(response);
    }
}

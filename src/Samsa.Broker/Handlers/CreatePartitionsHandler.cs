using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// CreatePartitions (key 37), versions 0-3.
/// Grows each topic to the requested total partition count, spreading the new replicas or taking an
/// explicit assignment; validate-only checks without changing anything. Partitions are never
/// removed: a count at or below the current one is INVALID_PARTITIONS. A request that would add more
/// than <see cref="MaxNewPartitionsPerRequest"/> partitions in all is refused whole with
/// POLICY_VIOLATION, as Kafka's controller refuses an operation of more than that many records.
/// Version notes: v1 same as v0; v2 flexible; v3 same as v2.
/// </summary>
internal sealed class CreatePartitionsHandler : RequestHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override ApiKey ApiKey => ApiKey.CreatePartitions;

    public override short MinVersion => 0;

    public override short MaxVersion => 3;

    /// <summary>Kafka's bound on the metadata records one operation may write (QuorumController.MAX_RECORDS_PER_USER_OP): one per new partition.</summary>
    public const int MaxNewPartitionsPerRequest = 10_000;

    protected override ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var response = new CreatePartitionsResponse();
        if (NewPartitions(context, request) > MaxNewPartitionsPerRequest)
        {
            foreach (var requested in request.Topics)
            {
                response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
                {
                    Name = requested.Name,
                    ErrorCode = (short)ErrorCode.PolicyViolation,
                    ErrorMessage = "Unable to perform excessively large batch operation.",
                });
            }

            return ValueTask.FromResult<CreatePartitionsResponse?>(response);
        }

        var duplicates = request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var requested in request.Topics)
        {
            var result = new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = requested.Name };
            response.Results.Add(result);
            (ErrorCode Error, string? Message) outcome;
            if (duplicates.Contains(requested.Name))
            {
                outcome = (ErrorCode.InvalidRequest, "Duplicate topic in request.");
            }
            else if (!context.Authorize(AclOperation.Alter, AclResourceType.Topic, requested.Name))
            {
                outcome = (ErrorCode.TopicAuthorizationFailed, "Authorization failed.");
            }
            else if (!context.Cluster.TryGetTopic(requested.Name, out var topic))
            {
                outcome = (ErrorCode.UnknownTopicOrPartition, $"The topic '{requested.Name}' does not exist.");
            }
            else
            {
                var assignment = requested.Assignments?.Select(a => a.BrokerIds.ToArray()).ToList();
                outcome = context.Cluster.CreatePartitions(topic, requested.Count, assignment, request.ValidateOnly);
            }

            result.ErrorCode = (short)outcome.Error;
            result.ErrorMessage = outcome.Message;
        }

        return ValueTask.FromResult<CreatePartitionsResponse?>(response);
    }

    /// <summary>The partitions the request would add to existing topics.</summary>
    private static long NewPartitions(RequestContext context, CreatePartitionsRequest request)
    {
        long total = 0;
        foreach (var requested in request.Topics)
        {
            if (context.Cluster.TryGetTopic(requested.Name, out var topic))
            {
                total += Math.Max(0, requested.Count - topic.Partitions.Count);
            }
        }

        return total;
    }
}

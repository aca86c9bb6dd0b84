using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Samsa.Startup;

/// <summary>
/// Asks the cluster which operations the service's principal may perform on the topics and groups it needs
/// (Kafka's "authorized operations", reported with DescribeTopics and DescribeGroups) and compares them with
/// <see cref="KafkaAccessRequirement"/>s. A cluster without an authorizer reports every operation, so this only
/// finds something where ACLs are enforced.
/// </summary>
internal static class AuthorizationProbe
{
    /// <summary>What the check found: the requirements not met, and the resources it could not check, with why.</summary>
    public sealed record Outcome(IReadOnlyList<KafkaAccessRequirement> Missing, IReadOnlyList<string> Unchecked, int Checked);

    public static async Task<Outcome> CheckAsync(
        IAdminClient admin, IReadOnlyList<KafkaAccessRequirement> requirements, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        var missing = new List<KafkaAccessRequirement>();
        var notChecked = new List<string>();
        var topics = requirements.Where(r => r.Resource == KafkaAccessResource.Topic).Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList();
        var groups = requirements.Where(r => r.Resource == KafkaAccessResource.Group).Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList();

        var topicOperations = await TopicOperationsAsync(admin, topics, requestTimeout, notChecked, cancellationToken).ConfigureAwait(false);
        var groupOperations = await GroupOperationsAsync(admin, groups, requestTimeout, notChecked, cancellationToken).ConfigureAwait(false);
        var checkedCount = 0;
        foreach (var requirement in requirements)
        {
            var known = requirement.Resource == KafkaAccessResource.Topic ? topicOperations : groupOperations;
            if (!known.TryGetValue(requirement.Name, out var allowed))
            {
                continue;
            }

            checkedCount++;
            if (!allowed.Contains(requirement.Operation) && !allowed.Contains(AclOperation.All))
            {
                missing.Add(requirement);
            }
        }

        return new Outcome(missing, notChecked, checkedCount);
    }

    /// <summary>The operations allowed per topic; a topic the principal may not describe allows nothing; one that does not exist is left out.</summary>
    private static async Task<Dictionary<string, HashSet<AclOperation>>> TopicOperationsAsync(
        IAdminClient admin, List<string> topics, TimeSpan timeout, List<string> notChecked, CancellationToken cancellationToken)
    {
        var operations = new Dictionary<string, HashSet<AclOperation>>(StringComparer.Ordinal);
        if (topics.Count == 0)
        {
            return operations;
        }

        List<TopicDescription> descriptions;
        try
        {
            var result = await admin.DescribeTopicsAsync(
                TopicCollection.OfTopicNames(topics),
                new DescribeTopicsOptions { RequestTimeout = timeout, IncludeAuthorizedOperations = true }).WaitAsync(cancellationToken).ConfigureAwait(false);
            descriptions = result.TopicDescriptions;
        }
        catch (DescribeTopicsException exception)
        {
            descriptions = exception.Results.TopicDescriptions;
        }

        foreach (var description in descriptions)
        {
            switch (description.Error?.Code ?? ErrorCode.NoError)
            {
                case ErrorCode.NoError when description.AuthorizedOperations is { } allowed:
                    operations[description.Name] = [.. allowed];
                    break;
                case ErrorCode.NoError:
                    notChecked.Add($"topic `{description.Name}` (the cluster does not report authorized operations)");
                    break;
                case ErrorCode.TopicAuthorizationFailed:
                    operations[description.Name] = [];
                    break;
                case ErrorCode.UnknownTopicOrPart:
                    notChecked.Add($"topic `{description.Name}` (it does not exist yet)");
                    break;
                default:
                    notChecked.Add($"topic `{description.Name}` ({description.Error!.Code}: {description.Error.Reason})");
                    break;
            }
        }

        return operations;
    }

    /// <summary>The operations allowed per group (a group that does not exist yet is described as empty, with its operations).</summary>
    private static async Task<Dictionary<string, HashSet<AclOperation>>> GroupOperationsAsync(
        IAdminClient admin, List<string> groups, TimeSpan timeout, List<string> notChecked, CancellationToken cancellationToken)
    {
        var operations = new Dictionary<string, HashSet<AclOperation>>(StringComparer.Ordinal);
        if (groups.Count == 0)
        {
            return operations;
        }

        List<ConsumerGroupDescription> descriptions;
        try
        {
            var result = await admin.DescribeConsumerGroupsAsync(
                groups,
                new DescribeConsumerGroupsOptions { RequestTimeout = timeout, IncludeAuthorizedOperations = true }).WaitAsync(cancellationToken).ConfigureAwait(false);
            descriptions = result.ConsumerGroupDescriptions;
        }
        catch (DescribeConsumerGroupsException exception)
        {
            descriptions = exception.Results.ConsumerGroupDescriptions;
        }

        foreach (var description in descriptions)
        {
            switch (description.Error?.Code ?? ErrorCode.NoError)
            {
                case ErrorCode.NoError when description.AuthorizedOperations is { } allowed:
                    operations[description.GroupId] = [.. allowed];
                    break;
                case ErrorCode.NoError:
                    notChecked.Add($"group `{description.GroupId}` (the cluster does not report authorized operations)");
                    break;
                case ErrorCode.GroupAuthorizationFailed:
                    operations[description.GroupId] = [];
                    break;
                default:
                    notChecked.Add($"group `{description.GroupId}` ({description.Error!.Code}: {description.Error.Reason})");
                    break;
            }
        }

        return operations;
    }
}

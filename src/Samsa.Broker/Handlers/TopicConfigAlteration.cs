using Samsa.Broker.Cluster;
using Samsa.Protocol;

namespace Samsa.Broker.Handlers;

/// <summary>
/// What AlterConfigs and IncrementalAlterConfigs share for one topic resource: the topic must exist,
/// and the new overrides are validated and stored (or only validated). Broker resources go to
/// <see cref="BrokerConfigAlteration"/>.
/// </summary>
internal static class TopicConfigAlteration
{
    /// <param name="context">The request.</param>
    /// <param name="resourceType">The resource's type as sent.</param>
    /// <param name="resourceName">The topic name.</param>
    /// <param name="overridesFor">The topic's overrides after the request's changes, or the error that refuses them.</param>
    /// <param name="validateOnly">Validate and change nothing.</param>
    public static (ErrorCode Error, string? Message) Alter(
        RequestContext context,
        sbyte resourceType,
        string resourceName,
        Func<TopicState, (Dictionary<string, string>? Overrides, ErrorCode Error, string? Message)> overridesFor,
        bool validateOnly)
    {
        if ((ConfigResourceType)resourceType != ConfigResourceType.Topic)
        {
            return (ErrorCode.InvalidRequest, $"Samsa.Broker alters topic and broker configs only, not resource type {resourceType}.");
        }

        if (!context.Cluster.TryGetTopic(resourceName, out var topic))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"Topic '{resourceName}' does not exist.");
        }

        var (overrides, error, message) = overridesFor(topic);
        return overrides is null ? (error, message) : context.Cluster.SetTopicConfigs(topic, overrides, validateOnly);
    }
}

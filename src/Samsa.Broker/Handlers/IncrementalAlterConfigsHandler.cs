using Samsa.Broker.Cluster;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// IncrementalAlterConfigs (key 44), versions 0-1.
/// Applies SET, DELETE, APPEND and SUBTRACT to a topic's configs, validating each resulting value
/// (INVALID_CONFIG); validate-only changes nothing. On a BROKER resource (a broker id, or "" for
/// the cluster-wide default) the same operations change Kafka's dynamic broker configs, which are
/// persisted; other broker configs are INVALID_CONFIG.
/// Version notes: v1 flexible.
/// </summary>
internal sealed class IncrementalAlterConfigsHandler : RequestHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    public override ApiKey ApiKey => ApiKey.IncrementalAlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Responses.Add(result);
            var outcome = ConfigAuthorization.Denied(context, resource.ResourceType, resource.ResourceName, AclOperation.AlterConfigs) is { } denied
                ? (Error: denied, Message: (string?)"Authorization failed.")
                : (ConfigResourceType)resource.ResourceType == ConfigResourceType.Broker
                ? BrokerConfigAlteration.Apply(context, resource.ResourceName, resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value)), request.ValidateOnly)
                : TopicConfigAlteration.Alter(context, resource.ResourceType, resource.ResourceName, topic => TopicConfigChanges.Apply(topic.Config, resource.Configs.Select(c => (c.Name, c.ConfigOperation, c.Value))), request.ValidateOnly);
            result.ErrorCode = (short)outcome.Error;
            result.ErrorMessage = outcome.Message;
        }

        return ValueTask.FromResult<IncrementalAlterConfigsResponse?>(response);
    }
}

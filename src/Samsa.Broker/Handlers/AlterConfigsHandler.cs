using Samsa.Broker.Cluster;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// AlterConfigs (key 33), versions 0-2: the legacy, non-incremental form.
/// For a topic, the given configs replace all of its overrides (anything not named returns to its
/// default); each is validated first (INVALID_CONFIG) and validate-only changes nothing. For a BROKER
/// resource (an id, or "" for the cluster-wide default) the given configs replace its dynamic
/// configs; only Kafka's dynamic broker configs are accepted (INVALID_CONFIG otherwise).
/// Version notes: v1 same as v0; v2 flexible.
/// </summary>
internal sealed class AlterConfigsHandler : RequestHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override ApiKey ApiKey => ApiKey.AlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new AlterConfigsResponse.AlterConfigsResourceResponse { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Responses.Add(result);
            var outcome = ConfigAuthorization.Denied(context, resource.ResourceType, resource.ResourceName, AclOperation.AlterConfigs) is { } denied
                ? (Error: denied, Message: (string?)"Authorization failed.")
                : (ConfigResourceType)resource.ResourceType == ConfigResourceType.Broker
                ? BrokerConfigAlteration.Replace(context, resource.ResourceName, resource.Configs.Select(c => (c.Name, c.Value)), request.ValidateOnly)
                : TopicConfigAlteration.Alter(context, resource.ResourceType, resource.ResourceName, _ => TopicConfigChanges.Replace(resource.Configs.Select(c => (c.Name, c.Value))), request.ValidateOnly);
            result.ErrorCode = (short)outcome.Error;
            result.ErrorMessage = outcome.Message;
        }

        return ValueTask.FromResult<AlterConfigsResponse?>(response);
    }
}

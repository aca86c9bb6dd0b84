using Samsa.Broker.Security.Authorization;
using System.Globalization;
using Samsa.Broker.Cluster;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeConfigs (key 32), versions 0-4.
/// Topics: every known topic config (or the requested keys) with its effective value, its source
/// (topic override, broker setting, or Kafka default) and, on request, its synonyms in precedence
/// order. Brokers: the node's static settings and Kafka's dynamic broker configs with their source
/// (DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG);
/// the resource "" lists the cluster-wide dynamic defaults only, as Kafka does. Documentation is
/// not provided (null).
/// Other resource types are INVALID_REQUEST.
/// Version notes: v0 IsDefault instead of a source; v1 sources and synonyms; v3 config types and
/// documentation; v4 flexible.
/// </summary>
internal sealed class DescribeConfigsHandler : RequestHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Results.Add(result);
            var keys = resource.ConfigurationKeys?.ToHashSet(StringComparer.Ordinal);
            if (ConfigAuthorization.Denied(context, resource.ResourceType, resource.ResourceName, AclOperation.DescribeConfigs) is { } denied)
            {
                result.ErrorCode = (short)denied;
                result.ErrorMessage = "Authorization failed.";
                continue;
            }

            switch ((ConfigResourceType)resource.ResourceType)
            {
                case ConfigResourceType.Topic:
                    DescribeTopic(context, request, resource.ResourceName, keys, result);
                    break;
                case ConfigResourceType.Broker:
                    DescribeBroker(context, request, resource.ResourceName, keys, result);
                    break;
                default:
                    result.ErrorCode = (short)ErrorCode.InvalidRequest;
                    result.ErrorMessage = $"Samsa.Broker describes topic and broker configs only, not resource type {resource.ResourceType}.";
                    break;
            }
        }

        return ValueTask.FromResult<DescribeConfigsResponse?>(response);
    }

    private static void DescribeTopic(RequestContext context, DescribeConfigsRequest request, string name, HashSet<string>? keys, DescribeConfigsResponse.DescribeConfigsResult result)
    {
        if (!context.Cluster.TryGetTopic(name, out var topic))
        {
            result.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
            result.ErrorMessage = $"Topic '{name}' does not exist.";
            return;
        }

        var version = context.ApiVersion;
        foreach (var definition in TopicConfigDefinitions.All)
        {
            if (keys is not null && !keys.Contains(definition.Name))
            {
                continue;
            }

            var (value, source) = topic.Config.Resolve(definition);
            var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = definition.Name,
                Value = value,
                ReadOnly = false,
                IsDefault = version == 0 && source == ConfigSource.DefaultConfig,
                ConfigSource = (sbyte)source,
                IsSensitive = false,
                ConfigType = version >= 3 ? (sbyte)definition.Type : (sbyte)0,
            };
            if (version >= 1 && request.IncludeSynonyms)
            {
                if (topic.Config.Overrides.TryGetValue(definition.Name, out var own))
                {
                    entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = definition.Name, Value = own, Source = (sbyte)ConfigSource.DynamicTopicConfig });
                }

                if (definition.BrokerSynonym is not null)
                {
                    var defaults = context.Cluster.BrokerDefaults;
                    if (defaults.DynamicDefaults.TryGetValue(definition.BrokerSynonym, out var dynamic))
                    {
                        entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = definition.BrokerSynonym, Value = dynamic, Source = (sbyte)ConfigSource.DynamicDefaultBrokerConfig });
                    }

                    if (defaults.Static.TryGetValue(definition.BrokerSynonym, out var broker))
                    {
                        entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = definition.BrokerSynonym, Value = broker, Source = (sbyte)ConfigSource.StaticBrokerConfig });
                    }

                    entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = definition.BrokerSynonym, Value = definition.Default, Source = (sbyte)ConfigSource.DefaultConfig });
                }
            }

            result.Configs.Add(entry);
        }
    }

    private static void DescribeBroker(RequestContext context, DescribeConfigsRequest request, string name, HashSet<string>? keys, DescribeConfigsResponse.DescribeConfigsResult result)
    {
        var (valid, nodeId) = BrokerConfigAlteration.ParseName(context.Cluster, name);
        if (!valid)
        {
            result.ErrorCode = (short)ErrorCode.InvalidRequest;
            result.ErrorMessage = $"'{name}' is not the id of a broker in this cluster.";
            return;
        }

        var version = context.ApiVersion;
        foreach (var config in BrokerConfigs.Describe(context.Cluster, nodeId))
        {
            if (keys is not null && !keys.Contains(config.Name))
            {
                continue;
            }

            var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = config.Name,
                Value = config.Value,
                ReadOnly = config.ReadOnly,
                IsDefault = version == 0 && config.Source == ConfigSource.DefaultConfig,
                ConfigSource = (sbyte)config.Source,
                ConfigType = version >= 3 ? (sbyte)config.Type : (sbyte)0,
            };
            if (version >= 1 && request.IncludeSynonyms)
            {
                foreach (var (value, source) in config.Synonyms)
                {
                    entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = config.Name, Value = value, Source = (sbyte)source });
                }
            }

            result.Configs.Add(entry);
        }
    }
}

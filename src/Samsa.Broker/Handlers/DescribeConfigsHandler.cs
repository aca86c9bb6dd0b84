using System.Globalization;
using Samsa.Broker.Cluster;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeConfigs (key 32), versions 0-4.
/// Topics: every known topic config (or the requested keys) with its effective value, its source
/// (topic override, broker setting, or Kafka default) and, on request, its synonyms in precedence
/// order. Brokers: the node's static settings. Documentation is not provided (null).
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
            switch ((ConfigResourceType)resource.ResourceType)
            {
                case ConfigResourceType.Topic:
                    DescribeTopic(context, request, resource.ResourceName, keys, result);
                    break;
                case ConfigResourceType.Broker:
                    DescribeBroker(context, resource.ResourceName, keys, result);
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
                    if (context.Cluster.BrokerConfig.TryGetValue(definition.BrokerSynonym, out var broker))
                    {
                        entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = definition.BrokerSynonym, Value = broker, Source = (sbyte)ConfigSource.StaticBrokerConfig });
                    }

                    entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = definition.BrokerSynonym, Value = definition.Default, Source = (sbyte)ConfigSource.DefaultConfig });
                }
            }

            result.Configs.Add(entry);
        }
    }

    private static void DescribeBroker(RequestContext context, string name, HashSet<string>? keys, DescribeConfigsResponse.DescribeConfigsResult result)
    {
        var nodeId = context.Node.Id;
        if (name.Length > 0 && (!int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out nodeId) || (uint)nodeId >= (uint)context.Cluster.Nodes.Count))
        {
            result.ErrorCode = (short)ErrorCode.InvalidRequest;
            result.ErrorMessage = $"'{name}' is not the id of a broker in this cluster.";
            return;
        }

        var version = context.ApiVersion;
        foreach (var (configName, value, source, type) in BrokerConfigs.Describe(context.Cluster, nodeId))
        {
            if (keys is not null && !keys.Contains(configName))
            {
                continue;
            }

            result.Configs.Add(new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = configName,
                Value = value,
                ReadOnly = true,
                IsDefault = version == 0 && source == ConfigSource.DefaultConfig,
                ConfigSource = (sbyte)source,
                ConfigType = version >= 3 ? (sbyte)type : (sbyte)0,
            });
        }
    }
}

using System.Globalization;
using Samsa.Broker.Cluster;
using Samsa.Protocol;

namespace Samsa.Broker.Handlers;

/// <summary>
/// What AlterConfigs and IncrementalAlterConfigs do to a BROKER resource: the name is a broker id
/// (that broker's own values) or empty (the cluster-wide default); only Kafka's dynamic broker
/// configs may be set (INVALID_CONFIG otherwise), and the resource's dynamic values are replaced
/// (legacy AlterConfigs) or changed by SET, DELETE, APPEND and SUBTRACT.
/// </summary>
internal static class BrokerConfigAlteration
{
    /// <summary>Parses the broker resource name: null for the cluster-wide default, else a node id of this cluster.</summary>
    public static (bool Valid, int? NodeId) ParseName(ClusterState cluster, string name)
    {
        if (name.Length == 0)
        {
            return (true, null);
        }

        return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id < cluster.Nodes.Count ? (true, id) : (false, null);
    }

    public static (ErrorCode Error, string? Message) Replace(RequestContext context, string resourceName, IEnumerable<(string Name, string? Value)> configs, bool validateOnly)
    {
        var (valid, nodeId) = ParseName(context.Cluster, resourceName);
        if (!valid)
        {
            return InvalidName(resourceName);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in configs)
        {
            if (value is not null)
            {
                values[name] = value;
            }
        }

        return context.Cluster.SetDynamicBrokerConfigs(nodeId, values, validateOnly);
    }

    public static (ErrorCode Error, string? Message) Apply(RequestContext context, string resourceName, IEnumerable<(string Name, sbyte Operation, string? Value)> operations, bool validateOnly)
    {
        var cluster = context.Cluster;
        var (valid, nodeId) = ParseName(cluster, resourceName);
        if (!valid)
        {
            return InvalidName(resourceName);
        }

        var values = new Dictionary<string, string>(cluster.DynamicBrokerConfigs(nodeId), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, operation, value) in operations)
        {
            if (!seen.Add(name))
            {
                return (ErrorCode.InvalidRequest, $"Error due to duplicate config keys: {name}");
            }

            if (!DynamicBrokerConfigDefinitions.TryGet(name, out var definition))
            {
                return (ErrorCode.InvalidConfig, $"Cannot update these configs dynamically: Set({name})");
            }

            switch (operation)
            {
                case TopicConfigChanges.Set:
                    if (value is null)
                    {
                        return (ErrorCode.InvalidConfig, $"Null value not supported for broker config '{name}'.");
                    }

                    values[name] = value;
                    break;
                case TopicConfigChanges.Delete:
                    values.Remove(name);
                    break;
                case TopicConfigChanges.Append or TopicConfigChanges.Subtract:
                    if (definition.Type != ConfigType.List)
                    {
                        return (ErrorCode.InvalidConfig, $"Config {name} is not a list, so it cannot be appended to or subtracted from.");
                    }

                    var current = BrokerConfigs.Resolve(cluster, nodeId, name).Value;
                    var items = current.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
                    var changes = (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (operation == TopicConfigChanges.Append)
                    {
                        items.AddRange(changes.Where(c => !items.Contains(c)));
                    }
                    else
                    {
                        items.RemoveAll(changes.Contains);
                    }

                    values[name] = string.Join(',', items);
                    break;
                default:
                    return (ErrorCode.InvalidRequest, $"Unknown config operation {operation} for {name}.");
            }
        }

        return cluster.SetDynamicBrokerConfigs(nodeId, values, validateOnly);
    }

    private static (ErrorCode, string?) InvalidName(string name) => (ErrorCode.InvalidRequest, $"Invalid broker name '{name}': expected the id of a broker in this cluster, or empty for the cluster-wide default.");
}

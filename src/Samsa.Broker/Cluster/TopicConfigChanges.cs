using Samsa.Protocol;

namespace Samsa.Broker.Cluster;

/// <summary>Computes a topic's new config overrides from an AlterConfigs or IncrementalAlterConfigs request.</summary>
internal static class TopicConfigChanges
{
    public const sbyte Set = 0;
    public const sbyte Delete = 1;
    public const sbyte Append = 2;
    public const sbyte Subtract = 3;

    /// <summary>Legacy AlterConfigs: the given configs replace every override (null values are dropped).</summary>
    public static (Dictionary<string, string>? Overrides, ErrorCode Error, string? Message) Replace(IEnumerable<(string Name, string? Value)> configs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in configs)
        {
            if (!TopicConfigDefinitions.TryGet(name, out _))
            {
                return (null, ErrorCode.InvalidConfig, $"Unknown topic config name: {name}");
            }

            if (value is not null)
            {
                result[name] = value;
            }
        }

        return (result, ErrorCode.None, null);
    }

    /// <summary>IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT (the last two on list configs) over the current overrides.</summary>
    public static (Dictionary<string, string>? Overrides, ErrorCode Error, string? Message) Apply(TopicConfig current, IEnumerable<(string Name, sbyte Operation, string? Value)> operations)
    {
        var result = new Dictionary<string, string>(current.Overrides, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, operation, value) in operations)
        {
            if (!seen.Add(name))
            {
                return (null, ErrorCode.InvalidConfig, $"Config {name} appears more than once in the request.");
            }

            if (!TopicConfigDefinitions.TryGet(name, out var definition))
            {
                return (null, ErrorCode.InvalidConfig, $"Unknown topic config name: {name}");
            }

            switch (operation)
            {
                case Set:
                    if (value is null)
                    {
                        return (null, ErrorCode.InvalidConfig, $"Null value not supported for topic config '{name}'.");
                    }

                    result[name] = value;
                    break;
                case Delete:
                    result.Remove(name);
                    break;
                case Append or Subtract:
                    if (definition.Type != ConfigType.List)
                    {
                        return (null, ErrorCode.InvalidConfig, $"Config {name} is not a list, so it cannot be appended to or subtracted from.");
                    }

                    var items = current.Get(name).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
                    var changes = (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    if (operation == Append)
                    {
                        items.AddRange(changes.Where(c => !items.Contains(c)));
                    }
                    else
                    {
                        items.RemoveAll(changes.Contains);
                    }

                    result[name] = string.Join(',', items);
                    break;
                default:
                    return (null, ErrorCode.InvalidRequest, $"Unknown config operation {operation} for {name}.");
            }
        }

        return (result, ErrorCode.None, null);
    }
}

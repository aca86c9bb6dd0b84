using Samsa.Broker.Diagnostics;
using Samsa.Protocol;

namespace Samsa.Broker.Cluster;

/// <summary>Dynamic broker configs: per broker and cluster-wide, validated, persisted, and applied to topic defaults.</summary>
internal sealed partial class ClusterState
{
    private readonly Dictionary<int, Dictionary<string, string>> _perBrokerDynamic = [];
    private DynamicBrokerConfigStore? _dynamicStore;
    private BrokerLevelConfigs _brokerDefaults = null!;

    /// <summary>What topic configs fall back to: cluster-wide dynamic values over the static settings.</summary>
    public BrokerLevelConfigs BrokerDefaults => _brokerDefaults;

    /// <summary>The dynamic configs set on broker <paramref name="nodeId"/>, or cluster-wide when null.</summary>
    public IReadOnlyDictionary<string, string> DynamicBrokerConfigs(int? nodeId) =>
        nodeId is not { } id ? _brokerDefaults.DynamicDefaults
        : _perBrokerDynamic.TryGetValue(id, out var own) ? own
        : new Dictionary<string, string>();

    /// <summary>
    /// Replaces the dynamic configs of broker <paramref name="nodeId"/> (cluster-wide when null)
    /// with <paramref name="values"/>, after checking each is dynamic and valid (INVALID_CONFIG).
    /// A cluster-wide change of a topic-config synonym changes every topic's default.
    /// </summary>
    public (ErrorCode Error, string? Message) SetDynamicBrokerConfigs(int? nodeId, IReadOnlyDictionary<string, string> values, bool validateOnly)
    {
        var notDynamic = values.Keys.Where(k => !DynamicBrokerConfigDefinitions.TryGet(k, out _)).Order(StringComparer.Ordinal).ToList();
        if (notDynamic.Count > 0)
        {
            return (ErrorCode.InvalidConfig, $"Cannot update these configs dynamically: Set({string.Join(", ", notDynamic)})");
        }

        foreach (var (name, value) in values)
        {
            DynamicBrokerConfigDefinitions.TryGet(name, out var definition);
            if ((definition with { Name = name }).Validate(value) is { } problem)
            {
                return (ErrorCode.InvalidConfig, problem);
            }
        }

        if (validateOnly)
        {
            return (ErrorCode.None, null);
        }

        lock (_gate)
        {
            var copy = new Dictionary<string, string>(values, StringComparer.Ordinal);
            if (nodeId is { } id)
            {
                _perBrokerDynamic[id] = copy;
            }
            else
            {
                _brokerDefaults = new BrokerLevelConfigs(_brokerConfig, copy);
                foreach (var topic in _topicsByName.Values)
                {
                    topic.SetConfig(topic.Config.With(_brokerDefaults));
                }
            }

            _dynamicStore?.Save(new SavedDynamicBrokerConfigs(
                new Dictionary<string, string>(_brokerDefaults.DynamicDefaults, StringComparer.Ordinal),
                _perBrokerDynamic.ToDictionary(kv => kv.Key, kv => kv.Value)));
            BrokerLogging.BrokerConfigsAltered(_logger, nodeId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "<default>", string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value}")));
        }

        return (ErrorCode.None, null);
    }

    private void LoadDynamicConfigs()
    {
        var saved = new SavedDynamicBrokerConfigs([], []);
        if (Options.DataDirectory is { } directory)
        {
            _dynamicStore = new DynamicBrokerConfigStore(directory);
            saved = _dynamicStore.Load();
        }

        foreach (var (node, values) in saved.PerBroker)
        {
            _perBrokerDynamic[node] = new Dictionary<string, string>(values, StringComparer.Ordinal);
        }

        _brokerDefaults = new BrokerLevelConfigs(_brokerConfig, new Dictionary<string, string>(saved.ClusterDefault, StringComparer.Ordinal));
    }
}

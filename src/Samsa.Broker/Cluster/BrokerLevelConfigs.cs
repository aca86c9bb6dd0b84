namespace Samsa.Broker.Cluster;

/// <summary>
/// The broker-level values topic configs fall back to: cluster-wide dynamic defaults (set with
/// AlterConfigs on the broker resource "") over the static settings the broker started with.
/// Immutable; a dynamic change makes a new one and every topic's config is rebuilt on it.
/// </summary>
internal sealed class BrokerLevelConfigs(IReadOnlyDictionary<string, string> staticValues, IReadOnlyDictionary<string, string> dynamicDefaults)
{
    /// <summary>Settings given at start, by broker name (and topic names given as broker defaults).</summary>
    public IReadOnlyDictionary<string, string> Static { get; } = staticValues;

    /// <summary>Cluster-wide dynamic values, by broker name.</summary>
    public IReadOnlyDictionary<string, string> DynamicDefaults { get; } = dynamicDefaults;

    /// <summary>The broker-level value of <paramref name="name"/> and where it came from.</summary>
    public bool TryGet(string name, out string value, out ConfigSource source)
    {
        if (DynamicDefaults.TryGetValue(name, out value!))
        {
            source = ConfigSource.DynamicDefaultBrokerConfig;
            return true;
        }

        source = ConfigSource.StaticBrokerConfig;
        return Static.TryGetValue(name, out value!);
    }
}

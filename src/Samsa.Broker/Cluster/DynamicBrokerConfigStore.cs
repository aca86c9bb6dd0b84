using System.Text.Json;
using System.Text.Json.Serialization;

namespace Samsa.Broker.Cluster;

/// <summary>Keeps the dynamic broker configs in one JSON file in the data directory, replaced atomically on each change.</summary>
internal sealed class DynamicBrokerConfigStore(string dataDirectory)
{
    public const string FileName = "dynamic-broker-configs.json";

    private readonly string _path = Path.Combine(dataDirectory, FileName);

    public SavedDynamicBrokerConfigs Load() =>
        File.Exists(_path)
            ? JsonSerializer.Deserialize(File.ReadAllText(_path), DynamicBrokerConfigJsonContext.Default.SavedDynamicBrokerConfigs) ?? throw new InvalidDataException($"{_path} is empty.")
            : new SavedDynamicBrokerConfigs([], []);

    public void Save(SavedDynamicBrokerConfigs configs)
    {
        Directory.CreateDirectory(dataDirectory);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(configs, DynamicBrokerConfigJsonContext.Default.SavedDynamicBrokerConfigs));
        File.Move(temp, _path, overwrite: true);
    }
}

/// <summary>Cluster-wide dynamic values, and each broker's own, by config name.</summary>
internal sealed record SavedDynamicBrokerConfigs(Dictionary<string, string> ClusterDefault, Dictionary<int, Dictionary<string, string>> PerBroker);

[JsonSerializable(typeof(SavedDynamicBrokerConfigs))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class DynamicBrokerConfigJsonContext : JsonSerializerContext;

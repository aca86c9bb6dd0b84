using System.Text.Json;
using System.Text.Json.Serialization;

namespace Samsa.Broker.Cluster;

/// <summary>
/// Keeps the cluster's metadata (cluster id, topics, their ids, configs, replica assignments and
/// leader epoch history) in one JSON file in the data directory, replaced atomically on each change.
/// </summary>
internal sealed class MetadataStore
{
    public const string FileName = "cluster-metadata.json";

    private readonly string _path;

    public MetadataStore(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        _path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(_path))
        {
            var saved = JsonSerializer.Deserialize(File.ReadAllText(_path), MetadataJsonContext.Default.SavedCluster)
                ?? throw new InvalidDataException($"{_path} is empty.");
            ClusterId = saved.ClusterId;
            Topics = saved.Topics;
            NextProducerId = saved.NextProducerId;
        }
    }

    public string? ClusterId { get; }

    public IReadOnlyList<SavedTopic> Topics { get; } = [];

    /// <summary>The first producer id not handed out yet, so ids are never reused across restarts.</summary>
    public long NextProducerId { get; }

    public void Save(string clusterId, long nextProducerId, IEnumerable<TopicState> topics)
    {
        var saved = new SavedCluster(
            clusterId,
            nextProducerId,
            topics.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new SavedTopic(
                t.Name,
                t.Id,
                t.IsInternal,
                new Dictionary<string, string>(t.Config.Overrides),
                t.Partitions.Select(p => new SavedPartition(
                    p.Leadership.Replicas,
                    p.Leadership.LeaderEpoch,
                    p.EpochHistory.Select(e => new[] { e.Epoch, e.StartOffset }.Select(x => (long)x).ToArray()).ToList())).ToList())).ToList());
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(saved, MetadataJsonContext.Default.SavedCluster));
        File.Move(temp, _path, overwrite: true);
    }
}

internal sealed record SavedCluster(string ClusterId, long NextProducerId, List<SavedTopic> Topics);

internal sealed record SavedTopic(string Name, Guid Id, bool IsInternal, Dictionary<string, string> Configs, List<SavedPartition> Partitions);

internal sealed record SavedPartition(int[] Replicas, int LeaderEpoch, List<long[]> EpochHistory);

[JsonSerializable(typeof(SavedCluster))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;

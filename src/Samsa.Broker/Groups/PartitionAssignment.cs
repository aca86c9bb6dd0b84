namespace Samsa.Broker.Groups;

/// <summary>
/// Partitions by topic id, as the consumer protocol (KIP-848) exchanges them: a member's target,
/// assigned or pending-revocation partitions. Not changed after it is built.
/// </summary>
internal sealed class PartitionAssignment
{
    public static readonly PartitionAssignment Empty = new(new Dictionary<Guid, SortedSet<int>>());

    private readonly Dictionary<Guid, SortedSet<int>> _byTopic;

    private PartitionAssignment(Dictionary<Guid, SortedSet<int>> byTopic)
    {
        _byTopic = byTopic;
        Count = byTopic.Values.Sum(p => p.Count);
    }

    public int Count { get; }

    public bool IsEmpty => Count == 0;

    public IEnumerable<Guid> TopicIds => _byTopic.Keys;

    public IReadOnlyDictionary<Guid, SortedSet<int>> ByTopic => _byTopic;

    public static PartitionAssignment From(IEnumerable<(Guid TopicId, int Partition)> partitions)
    {
        var byTopic = new Dictionary<Guid, SortedSet<int>>();
        foreach (var (topicId, partition) in partitions)
        {
            if (!byTopic.TryGetValue(topicId, out var set))
            {
                byTopic[topicId] = set = [];
            }

            set.Add(partition);
        }

        return byTopic.Count == 0 ? Empty : new PartitionAssignment(byTopic);
    }

    public static PartitionAssignment From(IEnumerable<(Guid TopicId, IEnumerable<int> Partitions)> topics) =>
        From(topics.SelectMany(t => t.Partitions.Select(p => (t.TopicId, p))));

    public IEnumerable<(Guid TopicId, int Partition)> All() => _byTopic.SelectMany(kv => kv.Value.Select(p => (kv.Key, p)));

    public bool Contains(Guid topicId, int partition) => _byTopic.TryGetValue(topicId, out var set) && set.Contains(partition);

    public IReadOnlySet<int> Partitions(Guid topicId) => _byTopic.TryGetValue(topicId, out var set) ? set : EmptySet;

    public bool SetEquals(PartitionAssignment other) =>
        Count == other.Count && _byTopic.All(kv => other._byTopic.TryGetValue(kv.Key, out var set) && set.SetEquals(kv.Value));

    public override string ToString() => string.Join(", ", _byTopic.Select(kv => $"{kv.Key}:[{string.Join(',', kv.Value)}]"));

    private static readonly SortedSet<int> EmptySet = [];
}

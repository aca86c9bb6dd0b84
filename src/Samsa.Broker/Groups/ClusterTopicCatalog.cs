using Samsa.Broker.Cluster;

namespace Samsa.Broker.Groups;

/// <summary>The cluster's topics for consumer-protocol groups (the cluster's topic tables are safe to read from any thread).</summary>
internal sealed class ClusterTopicCatalog(ClusterState cluster) : ITopicCatalog
{
    public bool TryGet(string name, out TopicDescription topic) => Describe(cluster.TryGetTopic(name, out var state) ? state : null, out topic);

    public bool TryGet(Guid id, out TopicDescription topic) => Describe(cluster.TryGetTopic(id, out var state) ? state : null, out topic);

    public IEnumerable<TopicDescription> UserTopics =>
        cluster.Topics.Where(t => !t.IsInternal && !t.IsDeleted).Select(t => new TopicDescription(t.Name, t.Id, t.Partitions.Count));

    private static bool Describe(TopicState? state, out TopicDescription topic)
    {
        if (state is null || state.IsDeleted)
        {
            topic = default;
            return false;
        }

        topic = new TopicDescription(state.Name, state.Id, state.Partitions.Count);
        return true;
    }
}

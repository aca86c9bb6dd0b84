namespace Samsa.Broker.Groups;

/// <summary>
/// The broker settings a consumer-protocol (KIP-848) group works with, and where it looks topics
/// up (subscriptions name topics; assignments carry topic ids).
/// </summary>
internal sealed record ConsumerProtocolSettings(
    TimeSpan SessionTimeout,
    TimeSpan HeartbeatInterval,
    int MaxSize,
    IReadOnlyList<string> Assignors)
{
    public static readonly ConsumerProtocolSettings Default = new(
        BrokerDefaults.ConsumerGroupSessionTimeout,
        BrokerDefaults.ConsumerGroupHeartbeatInterval,
        BrokerDefaults.ConsumerGroupMaxSize,
        BrokerDefaults.ConsumerGroupAssignors);

    /// <summary>The topics of the cluster; none unless the coordinator sets them (unit tests of a lone group).</summary>
    public ITopicCatalog Topics { get; init; } = ITopicCatalog.Empty;

    public static ConsumerProtocolSettings From(BrokerOptions options) => new(
        options.ConsumerGroupSessionTimeout,
        options.ConsumerGroupHeartbeatInterval,
        options.ConsumerGroupMaxSize,
        [.. options.ConsumerGroupAssignors]);
}

/// <summary>A topic as a consumer-protocol group sees it: name, id and partition count.</summary>
internal readonly record struct TopicDescription(string Name, Guid Id, int PartitionCount);

/// <summary>Read-only view of the cluster's topics, safe to use from any group loop.</summary>
internal interface ITopicCatalog
{
    static readonly ITopicCatalog Empty = new EmptyCatalog();

    bool TryGet(string name, out TopicDescription topic);

    bool TryGet(Guid id, out TopicDescription topic);

    /// <summary>Every topic that is not internal (regex subscriptions match against these, as Kafka's do).</summary>
    IEnumerable<TopicDescription> UserTopics { get; }

    private sealed class EmptyCatalog : ITopicCatalog
    {
        public bool TryGet(string name, out TopicDescription topic)
        {
            topic = default;
            return false;
        }

        public bool TryGet(Guid id, out TopicDescription topic)
        {
            topic = default;
            return false;
        }

        public IEnumerable<TopicDescription> UserTopics => [];
    }
}

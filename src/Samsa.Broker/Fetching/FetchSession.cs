using Samsa.Protocol.Messages;

namespace Samsa.Broker.Fetching;

/// <summary>
/// One incremental fetch session (KIP-227): the partitions a client fetches, with what it asked
/// for each (offset, limits, epochs) and what the broker last told it (high watermark, log start),
/// so that later requests name only what changed and responses carry only partitions with news.
/// Guarded by its own lock while a request uses it; the cache guards the table of sessions.
/// </summary>
internal sealed class FetchSession(int id, bool usesTopicIds, long createdMs)
{
    private readonly Dictionary<FetchSessionPartitionKey, CachedPartition> _partitions = [];

    public int Id { get; } = id;

    /// <summary>Held while a request reads or changes the session.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The epoch the next incremental request must carry.</summary>
    public int Epoch { get; set; } = 1;

    /// <summary>Sessions made by v13+ requests name topics by id; the others by name. A request of the other kind is refused.</summary>
    public bool UsesTopicIds { get; } = usesTopicIds;

    public long CreatedMs { get; } = createdMs;

    public long LastUsedMs { get; set; } = createdMs;

    public int Size => _partitions.Count;

    /// <summary>Adds or updates a partition as the request gives it.</summary>
    public void Upsert(FetchRequest.FetchTopic topic, FetchRequest.FetchPartition partition)
    {
        var key = new FetchSessionPartitionKey(UsesTopicIds ? topic.TopicId : Guid.Empty, UsesTopicIds ? "" : topic.Topic, partition.Partition);
        if (_partitions.TryGetValue(key, out var cached))
        {
            cached.Request = partition;
        }
        else
        {
            _partitions[key] = new CachedPartition(topic.Topic, topic.TopicId, partition);
        }
    }

    public void Forget(FetchRequest.ForgottenTopic topic)
    {
        foreach (var partition in topic.Partitions)
        {
            _partitions.Remove(new FetchSessionPartitionKey(UsesTopicIds ? topic.TopicId : Guid.Empty, UsesTopicIds ? "" : topic.Topic, partition));
        }
    }

    /// <summary>Every partition of the session, as the topics of a full fetch request.</summary>
    public List<FetchRequest.FetchTopic> ToTopics() =>
        _partitions.Values
            .GroupBy(p => (p.TopicId, p.Topic))
            .Select(g => new FetchRequest.FetchTopic { Topic = g.Key.Topic, TopicId = g.Key.TopicId, Partitions = g.Select(p => p.Request).ToList() })
            .ToList();

    /// <summary>
    /// Kafka's rule for an incremental response: a partition goes in when it has records, an error or
    /// a diverging epoch, or when its high watermark or log start offset differs from what the client
    /// was last told. Remembers what is sent (an error resets the high watermark so it is resent after).
    /// </summary>
    public bool MustRespond(FetchResponse.FetchableTopicResponse topic, FetchResponse.PartitionData data)
    {
        var key = new FetchSessionPartitionKey(UsesTopicIds ? topic.TopicId : Guid.Empty, UsesTopicIds ? "" : topic.Topic, data.PartitionIndex);
        if (!_partitions.TryGetValue(key, out var cached))
        {
            return true;
        }

        var respond = data.Records is { IsEmpty: false } || data.ErrorCode != 0 || data.DivergingEpoch.EndOffset >= 0;
        if (cached.HighWatermark != data.HighWatermark || cached.LogStartOffset != data.LogStartOffset)
        {
            respond = true;
            cached.HighWatermark = data.HighWatermark;
            cached.LogStartOffset = data.LogStartOffset;
        }

        if (data.ErrorCode != 0)
        {
            cached.HighWatermark = -1;
        }

        return respond;
    }

    private sealed class CachedPartition(string topic, Guid topicId, FetchRequest.FetchPartition request)
    {
        public string Topic { get; } = topic;

        public Guid TopicId { get; } = topicId;

        public FetchRequest.FetchPartition Request { get; set; } = request;

        public long HighWatermark { get; set; } = -1;

        public long LogStartOffset { get; set; } = -1;
    }
}

/// <summary>A partition in a session: by topic id (v13+) or by topic name.</summary>
internal readonly record struct FetchSessionPartitionKey(Guid TopicId, string Topic, int Partition);

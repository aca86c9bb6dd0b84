namespace Samsa.Broker.Coordination;

/// <summary>
/// The coordinator-specific part of loading and handing over shards, which a coordinator implements
/// for its <see cref="CoordinatorShards{TItem}"/>. None of these runs under the shards' lock.
/// </summary>
internal interface IShardContentLoader<TItem>
    where TItem : class
{
    /// <summary>
    /// Reads the shard's items back from its partition for <paramref name="leader"/>. Runs on the thread
    /// pool (inline for an empty partition); any exception fails this attempt, which is logged and retried.
    /// </summary>
    ShardContent<TItem> Load(CoordinatorShard<TItem> shard, int leader);

    /// <summary>The shard now serves <paramref name="content"/>: log it, resume what the items left unfinished.</summary>
    void Loaded(CoordinatorShard<TItem> shard, ShardContent<TItem> content, int leader, long elapsedMs);

    /// <summary>
    /// <paramref name="items"/> are no longer served here (leadership moved, the topic was recreated, or a load
    /// finished too late): close them. <paramref name="previousOwner"/> is the node that served them, -1 for none.
    /// </summary>
    void Unload(int partition, IReadOnlyCollection<TItem> items, int previousOwner);
}

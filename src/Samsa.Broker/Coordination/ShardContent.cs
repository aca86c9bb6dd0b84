namespace Samsa.Broker.Coordination;

/// <summary>What one load read back: the items by key, and how many records they came from (for the log).</summary>
internal sealed record ShardContent<TItem>(Dictionary<string, TItem> Items, int RecordCount)
    where TItem : class;

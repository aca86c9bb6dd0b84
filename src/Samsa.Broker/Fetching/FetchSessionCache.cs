namespace Samsa.Broker.Fetching;

/// <summary>
/// The incremental fetch sessions of one node (KIP-227), at most
/// <c>max.incremental.fetch.session.cache.slots</c> of them. When full, a new session takes the
/// slot of the least recently used session if that one has been idle longer than
/// <see cref="EvictionAfter"/>; otherwise of the smallest session (fewest partitions, then oldest
/// id) that is older than <see cref="EvictionAfter"/> and not larger than the new one, as Kafka's
/// FetchSessionCache decides. With no slot the fetch is served without a session (id 0).
/// The table is guarded by one lock held only for lookups and changes.
/// </summary>
internal sealed class FetchSessionCache(int maxSessions)
{
    /// <summary>Kafka's fixed minimum eviction time of a fetch session (120 s).</summary>
    public static readonly TimeSpan EvictionAfter = TimeSpan.FromMinutes(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<int, FetchSession> _sessions = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    public FetchSession? Get(int id)
    {
        lock (_lock)
        {
            return _sessions.GetValueOrDefault(id);
        }
    }

    public void Remove(int id)
    {
        lock (_lock)
        {
            _sessions.Remove(id);
        }
    }

    /// <summary>A new session of <paramref name="size"/> partitions, or null when no slot can be had.</summary>
    public FetchSession? TryCreate(int size, bool usesTopicIds, long nowMs)
    {
        lock (_lock)
        {
            if (maxSessions <= 0 || (_sessions.Count >= maxSessions && !TryEvict(size, nowMs)))
            {
                return null;
            }

            int id;
            do
            {
                id = Random.Shared.Next(1, int.MaxValue);
            }
            while (_sessions.ContainsKey(id));

            var session = new FetchSession(id, usesTopicIds, nowMs);
            _sessions[id] = session;
            return session;
        }
    }

    private bool TryEvict(int size, long nowMs)
    {
        var evictionMs = (long)EvictionAfter.TotalMilliseconds;
        FetchSession? leastRecent = null;
        FetchSession? smallest = null;
        foreach (var session in _sessions.Values)
        {
            if (leastRecent is null || session.LastUsedMs < leastRecent.LastUsedMs)
            {
                leastRecent = session;
            }

            if (nowMs - session.CreatedMs > evictionMs
                && (smallest is null || session.Size < smallest.Size || (session.Size == smallest.Size && session.Id < smallest.Id)))
            {
                smallest = session;
            }
        }

        var victim = leastRecent is not null && nowMs - leastRecent.LastUsedMs > evictionMs ? leastRecent
            : smallest is not null && smallest.Size <= size ? smallest
            : null;
        if (victim is null)
        {
            return false;
        }

        _sessions.Remove(victim.Id);
        return true;
    }
}

namespace Samsa.Broker.Groups;

/// <summary>A member as a server-side assignor sees it: who it is, the topics it subscribes to, and its previous target.</summary>
internal sealed record AssignorMember(string MemberId, string? InstanceId, IReadOnlySet<Guid> Topics, PartitionAssignment PreviousTarget);

/// <summary>
/// The server-side assignors of consumer-protocol (KIP-848) groups (<c>group.consumer.assignors</c>).
/// <para><c>uniform</c> (Kafka's default): every subscribed partition to one member, as evenly as the
/// subscriptions allow, and sticky: a partition stays with its previous target owner unless that
/// member has more than its share.</para>
/// <para><c>range</c>: per topic, the members subscribing to it (ordered by instance id, else member id)
/// take contiguous ranges, the first ones one partition more when it does not divide evenly, so that
/// co-partitioned topics line up.</para>
/// Both are our own implementations of what Kafka's assignors promise, not their algorithms.
/// </summary>
internal static class ConsumerAssignors
{
    public const string Uniform = "uniform";
    public const string Range = "range";

    public static IReadOnlyList<string> Names { get; } = [Uniform, Range];

    public static bool IsKnown(string? name) => name is Uniform or Range;

    /// <summary>Each member's new target; <paramref name="partitionCounts"/> holds every subscribed topic that exists.</summary>
    public static Dictionary<string, PartitionAssignment> Assign(string assignor, IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<Guid, int> partitionCounts) =>
        assignor == Range ? AssignRange(members, partitionCounts) : AssignUniform(members, partitionCounts);

    private static Dictionary<string, PartitionAssignment> AssignRange(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<Guid, int> partitionCounts)
    {
        var result = members.ToDictionary(m => m.MemberId, _ => new List<(Guid, int)>(), StringComparer.Ordinal);
        foreach (var (topicId, count) in partitionCounts.OrderBy(kv => kv.Key))
        {
            var subscribers = members
                .Where(m => m.Topics.Contains(topicId))
                .OrderBy(m => m.InstanceId ?? m.MemberId, StringComparer.Ordinal)
                .ThenBy(m => m.MemberId, StringComparer.Ordinal)
                .ToList();
            if (subscribers.Count == 0)
            {
                continue;
            }

            var share = count / subscribers.Count;
            var extra = count % subscribers.Count;
            var next = 0;
            for (var i = 0; i < subscribers.Count; i++)
            {
                var take = share + (i < extra ? 1 : 0);
                for (var p = next; p < next + take; p++)
                {
                    result[subscribers[i].MemberId].Add((topicId, p));
                }

                next += take;
            }
        }

        return result.ToDictionary(kv => kv.Key, kv => PartitionAssignment.From(kv.Value), StringComparer.Ordinal);
    }

    private static Dictionary<string, PartitionAssignment> AssignUniform(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<Guid, int> partitionCounts)
    {
        var ordered = members.OrderBy(m => m.MemberId, StringComparer.Ordinal).ToList();
        var owned = ordered.ToDictionary(m => m.MemberId, _ => new HashSet<(Guid, int)>(), StringComparer.Ordinal);
        var owner = new Dictionary<(Guid, int), string>();

        // 1. Stickiness: keep what each member was given last time, while it still subscribes to it and it exists.
        foreach (var member in ordered)
        {
            foreach (var (topicId, partition) in member.PreviousTarget.All())
            {
                if (member.Topics.Contains(topicId) && partitionCounts.TryGetValue(topicId, out var count) && partition < count && owner.TryAdd((topicId, partition), member.MemberId))
                {
                    owned[member.MemberId].Add((topicId, partition));
                }
            }
        }

        // 2. Every partition nobody kept goes to the least loaded member that subscribes to its topic.
        var all = partitionCounts.OrderBy(kv => kv.Key).SelectMany(kv => Enumerable.Range(0, kv.Value).Select(p => (kv.Key, p))).ToList();
        foreach (var tp in all)
        {
            if (owner.ContainsKey(tp))
            {
                continue;
            }

            var target = LeastLoaded(ordered, owned, tp.Key, exclude: null);
            if (target is not null)
            {
                owner[tp] = target;
                owned[target].Add(tp);
            }
        }

        // 3. Balance with as few moves as possible: the least loaded member takes one partition from the
        //    most loaded member that has two more and owns a partition of a topic it subscribes to, until none does.
        for (var moves = 0; moves <= all.Count; moves++)
        {
            if (!MoveOne(ordered, owned, owner))
            {
                break;
            }
        }

        return owned.ToDictionary(kv => kv.Key, kv => PartitionAssignment.From(kv.Value), StringComparer.Ordinal);
    }

    private static bool MoveOne(List<AssignorMember> members, Dictionary<string, HashSet<(Guid, int)>> owned, Dictionary<(Guid, int), string> owner)
    {
        foreach (var receiver in members.OrderBy(m => owned[m.MemberId].Count))
        {
            var receiverCount = owned[receiver.MemberId].Count;
            foreach (var donor in members.OrderByDescending(m => owned[m.MemberId].Count))
            {
                if (owned[donor.MemberId].Count <= receiverCount + 1)
                {
                    break;
                }

                var candidates = owned[donor.MemberId].Where(tp => receiver.Topics.Contains(tp.Item1)).ToList();
                if (candidates.Count == 0)
                {
                    continue;
                }

                var moved = candidates.Max();
                owned[donor.MemberId].Remove(moved);
                owned[receiver.MemberId].Add(moved);
                owner[moved] = receiver.MemberId;
                return true;
            }
        }

        return false;
    }

    private static string? LeastLoaded(List<AssignorMember> members, Dictionary<string, HashSet<(Guid, int)>> owned, Guid topicId, string? exclude)
    {
        string? best = null;
        foreach (var member in members)
        {
            if (member.MemberId == exclude || !member.Topics.Contains(topicId))
            {
                continue;
            }

            if (best is null || owned[member.MemberId].Count < owned[best].Count)
            {
                best = member.MemberId;
            }
        }

        return best;
    }
}

using System.Text.RegularExpressions;

namespace Samsa.Broker.Groups;

/// <summary>
/// The state of a consumer-protocol (KIP-848) group: group epoch, subscribed topics, target
/// assignment, members and who owns which partition. Owned by the group's loop (the
/// <see cref="ConsumerGroup"/> it belongs to); changed only after the records that describe the
/// change are stored in <c>__consumer_offsets</c>.
/// </summary>
internal sealed class ConsumerProtocolState
{
    private readonly Dictionary<string, Regex?> _regexes = new(StringComparer.Ordinal);

    /// <summary>Bumped whenever subscriptions, members or subscribed topics change; a new target assignment follows.</summary>
    public int GroupEpoch { get; set; }

    /// <summary>The group epoch the target assignment was computed for.</summary>
    public int TargetEpoch { get; set; }

    public Dictionary<string, ConsumerProtocolMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Static members: instance id -> member id.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Each member's target assignment (what it should own once reconciled).</summary>
    public Dictionary<string, PartitionAssignment> Targets { get; } = new(StringComparer.Ordinal);

    /// <summary>The topics some member subscribes to (by name or regex) that exist, by name, as last stored.</summary>
    public Dictionary<string, TopicDescription> SubscribedTopics { get; } = new(StringComparer.Ordinal);

    /// <summary>Which member owns each partition (assigned or pending revocation): another member gets it only once it is released.</summary>
    public Dictionary<(Guid TopicId, int Partition), string> Owners { get; } = [];

    /// <summary>Session and rebalance timers by member id.</summary>
    public Dictionary<string, ConsumerMemberTimers> Timers { get; } = new(StringComparer.Ordinal);

    public bool IsEmpty => Members.Count == 0;

    /// <summary>The group state as Kafka names it (ListGroups, ConsumerGroupDescribe).</summary>
    public string StateName =>
        Members.Count == 0 ? "Empty"
        : GroupEpoch != TargetEpoch ? "Assigning"
        : Members.Values.Any(m => !m.IsReconciledTo(TargetEpoch)) ? "Reconciling"
        : "Stable";

    public PartitionAssignment TargetOf(string memberId) => Targets.TryGetValue(memberId, out var target) ? target : PartitionAssignment.Empty;

    /// <summary>Whether a member other than <paramref name="memberId"/> still owns the partition.</summary>
    public bool IsOwnedByAnother(string memberId, Guid topicId, int partition) =>
        Owners.TryGetValue((topicId, partition), out var owner) && owner != memberId;

    /// <summary>Adds or replaces a member, keeping the ownership and static tables in step.</summary>
    public void Put(ConsumerProtocolMember member)
    {
        if (Members.TryGetValue(member.MemberId, out var previous))
        {
            ReleaseOwnership(previous);
        }

        Members[member.MemberId] = member;
        foreach (var tp in member.Assigned.All().Concat(member.PendingRevocation.All()))
        {
            Owners[tp] = member.MemberId;
        }

        if (member.InstanceId is { } instance)
        {
            StaticMembers[instance] = member.MemberId;
        }
    }

    /// <summary>Removes a member with its target; its partitions become free. Its timers are the caller's to stop.</summary>
    public void Remove(string memberId)
    {
        if (!Members.Remove(memberId, out var member))
        {
            return;
        }

        ReleaseOwnership(member);
        Targets.Remove(memberId);
        if (member.InstanceId is { } instance && StaticMembers.TryGetValue(instance, out var current) && current == memberId)
        {
            StaticMembers.Remove(instance);
        }
    }

    /// <summary>
    /// The topics the members subscribe to that exist: named ones, and for regex subscriptions every
    /// non-internal topic the whole pattern matches (RE2-style: no backtracking constructs).
    /// </summary>
    public Dictionary<string, TopicDescription> ResolveSubscriptions(IEnumerable<ConsumerProtocolMember> members, ITopicCatalog topics)
    {
        var resolved = new Dictionary<string, TopicDescription>(StringComparer.Ordinal);
        List<Regex>? patterns = null;
        foreach (var member in members)
        {
            foreach (var name in member.SubscribedTopicNames)
            {
                if (!resolved.ContainsKey(name) && topics.TryGet(name, out var topic))
                {
                    resolved[name] = topic;
                }
            }

            if (member.SubscribedTopicRegex is { } pattern && Compile(pattern) is { } regex)
            {
                (patterns ??= []).Add(regex);
            }
        }

        if (patterns is not null)
        {
            foreach (var topic in topics.UserTopics)
            {
                if (!resolved.ContainsKey(topic.Name) && patterns.Any(p => p.IsMatch(topic.Name)))
                {
                    resolved[topic.Name] = topic;
                }
            }
        }

        return resolved;
    }

    /// <summary>The ids of the topics <paramref name="member"/> subscribes to, among <paramref name="subscribed"/>.</summary>
    public HashSet<Guid> TopicIdsOf(ConsumerProtocolMember member, IReadOnlyDictionary<string, TopicDescription> subscribed)
    {
        var ids = new HashSet<Guid>();
        foreach (var name in member.SubscribedTopicNames)
        {
            if (subscribed.TryGetValue(name, out var topic))
            {
                ids.Add(topic.Id);
            }
        }

        if (member.SubscribedTopicRegex is { } pattern && Compile(pattern) is { } regex)
        {
            foreach (var topic in subscribed.Values)
            {
                if (regex.IsMatch(topic.Name))
                {
                    ids.Add(topic.Id);
                }
            }
        }

        return ids;
    }

    /// <summary>
    /// Compiles a subscription regex the way Kafka applies it: it must match the whole topic name.
    /// Null when it is not a valid pattern. The non-backtracking engine refuses lookarounds and
    /// backreferences, as RE2/J (Kafka's engine) does.
    /// </summary>
    public Regex? Compile(string pattern)
    {
        if (!_regexes.TryGetValue(pattern, out var regex))
        {
            regex = TryCompile(pattern);
            _regexes[pattern] = regex;
        }

        return regex;
    }

    public static Regex? TryCompile(string pattern)
    {
        try
        {
            return new Regex("^(?:" + pattern + ")$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private void ReleaseOwnership(ConsumerProtocolMember member)
    {
        foreach (var tp in member.Assigned.All().Concat(member.PendingRevocation.All()))
        {
            if (Owners.TryGetValue(tp, out var owner) && owner == member.MemberId)
            {
                Owners.Remove(tp);
            }
        }
    }
}

/// <summary>A consumer-protocol member's timers: its session, and how long it may take to revoke partitions.</summary>
internal sealed class ConsumerMemberTimers
{
    public ITimer? Session { get; set; }

    public int SessionSequence { get; set; }

    public ITimer? Rebalance { get; set; }

    public int RebalanceSequence { get; set; }

    public void Dispose()
    {
        Session?.Dispose();
        Session = null;
        Rebalance?.Dispose();
        Rebalance = null;
    }
}

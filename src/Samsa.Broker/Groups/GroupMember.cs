namespace Samsa.Broker.Groups;

/// <summary>
/// One member of a classic group: who it is, the protocols it offered, the assignment it was
/// given, its timeouts, and the JoinGroup or SyncGroup response it is waiting for. Owned by its
/// group's loop; nothing else reads or writes it.
/// </summary>
internal sealed class GroupMember
{
    public GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
    }

    public string MemberId { get; set; }

    public string? GroupInstanceId { get; }

    public string ClientId { get; set; }

    public string ClientHost { get; set; }

    public TimeSpan SessionTimeout { get; set; }

    public TimeSpan RebalanceTimeout { get; set; }

    public string ProtocolType { get; set; } = "";

    /// <summary>The protocols it supports, in its order of preference, with its metadata for each.</summary>
    public IReadOnlyList<GroupProtocol> Protocols { get; set; } = [];

    public byte[] Assignment { get; set; } = [];

    /// <summary>True from its first JoinGroup until that JoinGroup is answered.</summary>
    public bool IsNew { get; set; }

    public TaskCompletionSource<JoinGroupResult>? AwaitingJoin { get; set; }

    public TaskCompletionSource<SyncGroupResult>? AwaitingSync { get; set; }

    /// <summary>Fires when the session (or a new member's join) times out; replaced at every heartbeat.</summary>
    public ITimer? SessionTimer { get; set; }

    /// <summary>Bumped at every reschedule, so a timeout that was already queued is recognised as stale.</summary>
    public int SessionSequence { get; set; }

    public bool IsStatic => GroupInstanceId is not null;

    /// <summary>Its metadata for <paramref name="protocol"/>, or empty when it did not offer it.</summary>
    public byte[] MetadataFor(string? protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol)
            {
                return p.Metadata;
            }
        }

        return [];
    }

    /// <summary>True when <paramref name="protocols"/> are the ones it has, in the same order with the same bytes.</summary>
    public bool Matches(IReadOnlyList<GroupProtocol> protocols)
    {
        if (protocols.Count != Protocols.Count)
        {
            return false;
        }

        for (var i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One protocol a member offers (an assignor name for consumers) with its metadata (the subscription).</summary>
internal sealed record GroupProtocol(string Name, byte[] Metadata);

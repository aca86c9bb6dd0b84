using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>JoinGroup, SyncGroup, Heartbeat, LeaveGroup and DescribeGroups on one group.</summary>
internal sealed partial class ConsumerGroup
{
    /// <summary>Joins (or rejoins) a member; completes when the rebalance hands out the generation, or at once with an error.</summary>
    public Task<JoinGroupResult> JoinAsync(JoinGroupCommand command) => Run(() => Join(command)).Unwrap();

    public Task<SyncGroupResult> SyncAsync(SyncGroupCommand command) => Run(() => Sync(command)).Unwrap();

    public Task<ErrorCode> HeartbeatAsync(string memberId, string? groupInstanceId, int generationId) =>
        Run(() => Heartbeat(memberId, groupInstanceId, generationId));

    public Task<LeaveGroupResult> LeaveAsync(IReadOnlyList<LeavingMember> members) => Run(() => Leave(members));

    public Task<GroupDescription> DescribeAsync() => Run(Describe);

    private Task<JoinGroupResult> Join(JoinGroupCommand command)
    {
        if (_state == GroupState.Dead)
        {
            return Done(JoinGroupResult.Failed(ErrorCode.CoordinatorNotAvailable, command.MemberId));
        }

        if (!SupportsProtocols(command.MemberId, command.ProtocolType, command.Protocols))
        {
            return Done(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, command.MemberId));
        }

        return command.MemberId.Length == 0 ? JoinNewMember(command) : JoinKnownMember(command);
    }

    private Task<JoinGroupResult> JoinNewMember(JoinGroupCommand command)
    {
        if (_members.Count + _pendingMembers.Count >= _settings.MaxSize)
        {
            return Done(JoinGroupResult.Failed(ErrorCode.GroupMaxSizeReached, ""));
        }

        var memberId = (command.GroupInstanceId ?? command.ClientId) + "-" + Guid.NewGuid().ToString("D");
        if (command.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var oldMemberId))
        {
            return ReplaceStaticMember(command, oldMemberId, memberId);
        }

        if (command.RequireKnownMemberId && command.GroupInstanceId is null)
        {
            // KIP-394: the client must come back with this id, so a retried JoinGroup cannot leave
            // a stray member behind. The id is forgotten if it does not come back within the session timeout.
            var timer = _time.CreateTimer(_ => Post(() => RemovePendingMember(memberId)), null, command.SessionTimeout, Timeout.InfiniteTimeSpan);
            _pendingMembers[memberId] = timer;
            return Done(JoinGroupResult.Failed(ErrorCode.MemberIdRequired, memberId));
        }

        return AddMemberAndRebalance(command, memberId);
    }

    private Task<JoinGroupResult> JoinKnownMember(JoinGroupCommand command)
    {
        if (_pendingMembers.Remove(command.MemberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
            return AddMemberAndRebalance(command, command.MemberId);
        }

        if (IsStaticMemberFenced(command.GroupInstanceId, command.MemberId))
        {
            return Done(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, command.MemberId));
        }

        if (!_members.TryGetValue(command.MemberId, out var member)
            || (command.GroupInstanceId is { } instance && !_staticMembers.ContainsKey(instance)))
        {
            return Done(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, command.MemberId));
        }

        switch (_state)
        {
            case GroupState.PreparingRebalance:
                return UpdateMemberAndRebalance(member, command, "member rejoined during PreparingRebalance");
            case GroupState.CompletingRebalance:
                // Same metadata: it missed the JoinGroup answer, so give it the current generation again.
                return member.Matches(command.Protocols)
                    ? Done(CurrentGeneration(member, IsLeader(member.MemberId) ? CurrentMembers() : []))
                    : UpdateMemberAndRebalance(member, command, "member rejoined with new metadata during CompletingRebalance");
            case GroupState.Stable:
                // The leader rejoining forces a rebalance (it may have seen topic changes); a
                // follower with unchanged metadata just gets the current generation and goes on to SyncGroup.
                if (IsLeader(member.MemberId))
                {
                    return UpdateMemberAndRebalance(member, command, "leader rejoined");
                }

                return member.Matches(command.Protocols)
                    ? Done(CurrentGeneration(member, []))
                    : UpdateMemberAndRebalance(member, command, "member rejoined with new metadata");
            default:
                return Done(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, command.MemberId));
        }
    }

    private JoinGroupResult CurrentGeneration(GroupMember member, IReadOnlyList<JoinedMember> members) =>
        new(ErrorCode.None, member.MemberId, _generation, _protocolType, _protocolName, _leaderId ?? "", SkipAssignment: false, members);

    private Task<JoinGroupResult> AddMemberAndRebalance(JoinGroupCommand command, string memberId)
    {
        var member = new GroupMember(memberId, command.GroupInstanceId, command.ClientId, command.ClientHost)
        {
            SessionTimeout = command.SessionTimeout,
            RebalanceTimeout = command.RebalanceTimeout,
            ProtocolType = command.ProtocolType,
            Protocols = command.Protocols,
            IsNew = true,
        };
        var waiting = NewJoinWaiter();
        member.AwaitingJoin = waiting;

        // New members joining during the initial delay of a brand-new group extend the delay.
        if (_state == GroupState.PreparingRebalance && _generation == 0)
        {
            _newMemberAdded = true;
        }

        AddMember(member);

        // It has no member id to heartbeat with yet: it only may wait so long in JoinGroup.
        ScheduleSession(member, GroupSettings.NewMemberJoinTimeout);
        MaybePrepareRebalance($"new member {memberId} joined");
        TryCompleteJoin();
        return waiting.Task;
    }

    private Task<JoinGroupResult> UpdateMemberAndRebalance(GroupMember member, JoinGroupCommand command, string reason)
    {
        member.Protocols = command.Protocols;
        member.SessionTimeout = command.SessionTimeout;
        member.RebalanceTimeout = command.RebalanceTimeout;
        member.ClientId = command.ClientId;
        member.ClientHost = command.ClientHost;

        // A JoinGroup it sent before (on a connection that is gone) is superseded by this one.
        member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
        var waiting = NewJoinWaiter();
        member.AwaitingJoin = waiting;
        MaybePrepareRebalance(reason);
        TryCompleteJoin();
        return waiting.Task;
    }

    /// <summary>
    /// A static member came back under a new member id (it restarted): it takes the old member's
    /// place, and the old id is fenced. A Stable group whose protocol does not change keeps its
    /// assignment and does not rebalance (KIP-345); otherwise the group rebalances.
    /// </summary>
    private Task<JoinGroupResult> ReplaceStaticMember(JoinGroupCommand command, string oldMemberId, string newMemberId)
    {
        var member = _members[oldMemberId];
        var previousLeader = _leaderId;
        var previousProtocols = member.Protocols;
        var (previousSession, previousRebalance) = (member.SessionTimeout, member.RebalanceTimeout);

        member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, oldMemberId));
        member.AwaitingJoin = null;
        member.AwaitingSync?.TrySetResult(SyncGroupResult.Failed(ErrorCode.FencedInstanceId));
        member.AwaitingSync = null;
        RenameMember(member, oldMemberId, newMemberId);
        GroupLog.StaticMemberReplaced(_logger, GroupId, command.GroupInstanceId!, oldMemberId, newMemberId);

        member.Protocols = command.Protocols;
        member.SessionTimeout = command.SessionTimeout;
        member.RebalanceTimeout = command.RebalanceTimeout;
        member.ClientId = command.ClientId;
        member.ClientHost = command.ClientHost;
        ScheduleSession(member, member.SessionTimeout);
        var waiting = NewJoinWaiter();
        member.AwaitingJoin = waiting;

        switch (_state)
        {
            case GroupState.Stable when SelectProtocol() == _protocolName:
                var assignments = _members.Values.ToDictionary(m => m.MemberId, m => m.Assignment, StringComparer.Ordinal);
                var error = StoreGroup(assignments);
                member.AwaitingJoin = null;
                if (error != ErrorCode.None)
                {
                    // Put the old member back as it was.
                    RenameMember(member, newMemberId, oldMemberId);
                    member.Protocols = previousProtocols;
                    member.SessionTimeout = previousSession;
                    member.RebalanceTimeout = previousRebalance;
                    waiting.TrySetResult(JoinGroupResult.Failed(error, ""));
                    break;
                }

                // The leader is told the old leader id, so it does not run a useless assignment a
                // Stable group would not pass on; from v9 it is told to skip the assignment instead.
                var isLeader = IsLeader(newMemberId);
                var skip = isLeader && command.SupportsSkipAssignment;
                waiting.TrySetResult(new JoinGroupResult(
                    ErrorCode.None,
                    newMemberId,
                    _generation,
                    _protocolType,
                    _protocolName,
                    skip ? newMemberId : previousLeader ?? "",
                    skip,
                    skip ? CurrentMembers() : []));
                break;
            case GroupState.Stable:
                PrepareRebalance($"static member {command.GroupInstanceId} rejoined with a change of protocol");
                break;
            case GroupState.CompletingRebalance:
                // The leader may already be assigning to the old member id: start over.
                PrepareRebalance($"static member {command.GroupInstanceId} rejoined during CompletingRebalance");
                break;
            default:
                TryCompleteJoin();
                break;
        }

        return waiting.Task;
    }

    private void RenameMember(GroupMember member, string from, string to)
    {
        _members.Remove(from);
        member.MemberId = to;
        _members[to] = member;
        _staticMembers[member.GroupInstanceId!] = to;
        if (_leaderId == from)
        {
            _leaderId = to;
        }

        if (_pendingSync.Remove(from))
        {
            _pendingSync.Add(to);
        }
    }

    private static TaskCompletionSource<JoinGroupResult> NewJoinWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task<SyncGroupResult> Sync(SyncGroupCommand command)
    {
        if (_state == GroupState.Dead)
        {
            return Done(SyncGroupResult.Failed(ErrorCode.CoordinatorNotAvailable));
        }

        if (IsStaticMemberFenced(command.GroupInstanceId, command.MemberId))
        {
            return Done(SyncGroupResult.Failed(ErrorCode.FencedInstanceId));
        }

        if (!_members.TryGetValue(command.MemberId, out var member))
        {
            return Done(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
        }

        if (command.GenerationId != _generation)
        {
            return Done(SyncGroupResult.Failed(ErrorCode.IllegalGeneration));
        }

        if ((command.ProtocolType is not null && command.ProtocolType != _protocolType)
            || (command.ProtocolName is not null && command.ProtocolName != _protocolName))
        {
            return Done(SyncGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));
        }

        switch (_state)
        {
            case GroupState.PreparingRebalance:
                return Done(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
            case GroupState.CompletingRebalance:
                member.AwaitingSync?.TrySetResult(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
                var waiting = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                member.AwaitingSync = waiting;
                _pendingSync.Remove(member.MemberId);
                if (IsLeader(member.MemberId))
                {
                    CompleteSync(command.Assignments);
                }

                return waiting.Task;
            case GroupState.Stable:
                _pendingSync.Remove(member.MemberId);
                ScheduleSession(member, member.SessionTimeout);
                return Done(new SyncGroupResult(ErrorCode.None, _protocolType, _protocolName, member.Assignment));
            default:
                return Done(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
        }
    }

    /// <summary>The leader's assignment arrived: store it (members it left out get an empty one), hand it out, and the group is Stable.</summary>
    private void CompleteSync(IReadOnlyDictionary<string, byte[]> fromLeader)
    {
        var assignments = _members.Keys.ToDictionary(
            id => id,
            id => fromLeader.TryGetValue(id, out var assignment) ? assignment : [],
            StringComparer.Ordinal);
        var error = StoreGroup(assignments);
        if (error != ErrorCode.None)
        {
            GroupLog.StoreFailed(_logger, GroupId, error);
            ResetAndPropagateAssignmentError(error);
            MaybePrepareRebalance("the assignment could not be stored");
            return;
        }

        SetAndPropagateAssignment(assignments);
        Transition(GroupState.Stable);
        GroupLog.Stable(_logger, GroupId, _generation);
    }

    private ErrorCode Heartbeat(string memberId, string? groupInstanceId, int generationId)
    {
        if (_state == GroupState.Dead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        var error = ValidateMember(memberId, groupInstanceId);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (generationId != _generation)
        {
            return ErrorCode.IllegalGeneration;
        }

        var member = _members[memberId];
        switch (_state)
        {
            case GroupState.PreparingRebalance:
                ScheduleSession(member, member.SessionTimeout);
                return ErrorCode.RebalanceInProgress;
            case GroupState.CompletingRebalance or GroupState.Stable:
                // Heartbeats may start right after the JoinGroup answer, before SyncGroup.
                ScheduleSession(member, member.SessionTimeout);
                return ErrorCode.None;
            default:
                return ErrorCode.UnknownMemberId;
        }
    }

    private LeaveGroupResult Leave(IReadOnlyList<LeavingMember> leaving)
    {
        if (_state == GroupState.Dead)
        {
            return new LeaveGroupResult(ErrorCode.CoordinatorNotAvailable, []);
        }

        var errors = new List<ErrorCode>(leaving.Count);
        foreach (var request in leaving)
        {
            errors.Add(LeaveOne(request));
        }

        return new LeaveGroupResult(ErrorCode.None, errors);
    }

    private ErrorCode LeaveOne(LeavingMember request)
    {
        var reason = request.Reason is { Length: > 0 } given ? $"left the group: {given}" : "left the group";
        if (request.MemberId.Length == 0)
        {
            // An admin removes a static member by its instance id alone.
            if (request.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var current))
            {
                RemoveMemberAndUpdateGroup(_members[current], reason);
                return ErrorCode.None;
            }

            return ErrorCode.UnknownMemberId;
        }

        if (_pendingMembers.ContainsKey(request.MemberId))
        {
            RemovePendingMember(request.MemberId);
            return ErrorCode.None;
        }

        var error = ValidateMember(request.MemberId, request.GroupInstanceId);
        if (error == ErrorCode.None)
        {
            RemoveMemberAndUpdateGroup(_members[request.MemberId], reason);
        }

        return error;
    }

    private GroupDescription Describe()
    {
        if (_state == GroupState.Dead)
        {
            return GroupDescription.DeadGroup;
        }

        // Member metadata and assignments are only shown once the group is Stable (as Kafka does).
        var stable = _state == GroupState.Stable;
        var members = _members.Values
            .Select(m => new MemberDescription(
                m.MemberId,
                m.GroupInstanceId,
                m.ClientId,
                m.ClientHost,
                stable ? m.MetadataFor(_protocolName) : [],
                stable ? m.Assignment : []))
            .ToList();
        return new GroupDescription(ErrorCode.None, GroupStates.Name(_state), _protocolType ?? "", stable ? _protocolName ?? "" : "", members);
    }
}

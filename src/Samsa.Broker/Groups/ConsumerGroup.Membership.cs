using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>JoinGroup, SyncGroup, Heartbeat, LeaveGroup and DescribeGroups on one group.</summary>
internal sealed partial class ConsumerGroup
{
    /// <summary>Joins (or rejoins) a member; completes when the rebalance hands out the generation, or at once with an error.</summary>
    /// <remarks>A consumer-protocol group has no classic members: see <see cref="AdmitClassicJoin"/>; the other classic APIs answer UNKNOWN_MEMBER_ID.</remarks>
    public Task<JoinGroupResult> JoinAsync(JoinGroupCommand command) => Reply<JoinGroupResult>(reply =>
    {
        if (AdmitClassicJoin(command, reply))
        {
            Join(command, reply);
        }
    });

    /// <summary>Hands in a member's SyncGroup; completes when the leader's assignment is stored, or at once.</summary>
    public Task<SyncGroupResult> SyncAsync(SyncGroupCommand command) => Reply<SyncGroupResult>(reply =>
    {
        if (_consumerProtocol is null)
        {
            Sync(command, reply);
        }
        else
        {
            reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
        }
    });

    public Task<ErrorCode> HeartbeatAsync(string memberId, string? groupInstanceId, int generationId) =>
        Run(() => _consumerProtocol is null ? Heartbeat(memberId, groupInstanceId, generationId) : ErrorCode.UnknownMemberId);

    public Task<LeaveGroupResult> LeaveAsync(IReadOnlyList<LeavingMember> members) =>
        Run(() => _consumerProtocol is null ? Leave(members) : new LeaveGroupResult(ErrorCode.None, members.Select(_ => ErrorCode.UnknownMemberId).ToList()));

    /// <summary>DescribeGroups (v0-5) describes only classic groups: a consumer-protocol group is reported Dead, as Kafka does.</summary>
    public Task<GroupDescription> DescribeAsync() => Run(() => _consumerProtocol is null ? Describe() : GroupDescription.DeadGroup);

    private void Join(JoinGroupCommand command, TaskCompletionSource<JoinGroupResult> reply)
    {
        if (_state == GroupState.Dead)
        {
            reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.CoordinatorNotAvailable, command.MemberId));
            return;
        }

        if (!SupportsProtocols(command.MemberId, command.ProtocolType, command.Protocols))
        {
            reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, command.MemberId));
            return;
        }

        if (command.MemberId.Length == 0)
        {
            JoinNewMember(command, reply);
        }
        else
        {
            JoinKnownMember(command, reply);
        }
    }

    private void JoinNewMember(JoinGroupCommand command, TaskCompletionSource<JoinGroupResult> reply)
    {
        if (_members.Count + _pendingMembers.Count >= _settings.MaxSize)
        {
            reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.GroupMaxSizeReached, ""));
            return;
        }

        var memberId = (command.GroupInstanceId ?? command.ClientId) + "-" + Guid.NewGuid().ToString("D");
        if (command.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var oldMemberId))
        {
            ReplaceStaticMember(command, oldMemberId, memberId, reply);
            return;
        }

        if (command.RequireKnownMemberId && command.GroupInstanceId is null)
        {
            // KIP-394: the client must come back with this id, so a retried JoinGroup cannot leave
            // a stray member behind. The id is forgotten if it does not come back within the session timeout.
            var timer = _time.CreateTimer(_ => Post(() => RemovePendingMember(memberId)), null, command.SessionTimeout, Timeout.InfiniteTimeSpan);
            _pendingMembers[memberId] = timer;
            reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.MemberIdRequired, memberId));
            return;
        }

        AddMemberAndRebalance(command, memberId, reply);
    }

    private void JoinKnownMember(JoinGroupCommand command, TaskCompletionSource<JoinGroupResult> reply)
    {
        if (_pendingMembers.Remove(command.MemberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
            AddMemberAndRebalance(command, command.MemberId, reply);
            return;
        }

        if (IsStaticMemberFenced(command.GroupInstanceId, command.MemberId))
        {
            reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, command.MemberId));
            return;
        }

        if (!_members.TryGetValue(command.MemberId, out var member)
            || (command.GroupInstanceId is { } instance && !_staticMembers.ContainsKey(instance)))
        {
            reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, command.MemberId));
            return;
        }

        switch (_state)
        {
            case GroupState.PreparingRebalance:
                UpdateMemberAndRebalance(member, command, "member rejoined during PreparingRebalance", reply);
                return;
            case GroupState.CompletingRebalance:
                // Same metadata: it missed the JoinGroup answer, so give it the current generation again.
                if (member.Matches(command.Protocols))
                {
                    reply.TrySetResult(CurrentGeneration(member, IsLeader(member.MemberId) ? CurrentMembers() : []));
                }
                else
                {
                    UpdateMemberAndRebalance(member, command, "member rejoined with new metadata during CompletingRebalance", reply);
                }

                return;
            case GroupState.Stable:
                // The leader rejoining forces a rebalance (it may have seen topic changes); a
                // follower with unchanged metadata just gets the current generation and goes on to SyncGroup.
                if (IsLeader(member.MemberId) || !member.Matches(command.Protocols))
                {
                    UpdateMemberAndRebalance(member, command, IsLeader(member.MemberId) ? "leader rejoined" : "member rejoined with new metadata", reply);
                }
                else
                {
                    reply.TrySetResult(CurrentGeneration(member, []));
                }

                return;
            default:
                reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, command.MemberId));
                return;
        }
    }

    private JoinGroupResult CurrentGeneration(GroupMember member, IReadOnlyList<JoinedMember> members) =>
        new(ErrorCode.None, member.MemberId, _generation, _protocolType, _protocolName, _leaderId ?? "", SkipAssignment: false, members);

    private void AddMemberAndRebalance(JoinGroupCommand command, string memberId, TaskCompletionSource<JoinGroupResult> reply)
    {
        var member = new GroupMember(memberId, command.GroupInstanceId, command.ClientId, command.ClientHost)
        {
            SessionTimeout = command.SessionTimeout,
            RebalanceTimeout = command.RebalanceTimeout,
            ProtocolType = command.ProtocolType,
            Protocols = command.Protocols,
            IsNew = true,
        };
        member.AwaitingJoin = reply;

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
    }

    private void UpdateMemberAndRebalance(GroupMember member, JoinGroupCommand command, string reason, TaskCompletionSource<JoinGroupResult> reply)
    {
        member.Protocols = command.Protocols;
        member.SessionTimeout = command.SessionTimeout;
        member.RebalanceTimeout = command.RebalanceTimeout;
        member.ClientId = command.ClientId;
        member.ClientHost = command.ClientHost;

        // A JoinGroup it sent before (on a connection that is gone) is superseded by this one.
        member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
        member.AwaitingJoin = reply;
        MaybePrepareRebalance(reason);
        TryCompleteJoin();
    }

    /// <summary>
    /// A static member came back under a new member id (it restarted): it takes the old member's
    /// place, and the old id is fenced. A Stable group whose protocol does not change keeps its
    /// assignment and does not rebalance (KIP-345); otherwise the group rebalances.
    /// </summary>
    private void ReplaceStaticMember(JoinGroupCommand command, string oldMemberId, string newMemberId, TaskCompletionSource<JoinGroupResult> reply)
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
        GroupLogging.StaticMemberReplaced(_logger, GroupId, command.GroupInstanceId!, oldMemberId, newMemberId);

        member.Protocols = command.Protocols;
        member.SessionTimeout = command.SessionTimeout;
        member.RebalanceTimeout = command.RebalanceTimeout;
        member.ClientId = command.ClientId;
        member.ClientHost = command.ClientHost;
        ScheduleSession(member, member.SessionTimeout);
        member.AwaitingJoin = reply;

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
                    reply.TrySetResult(JoinGroupResult.Failed(error, ""));
                    break;
                }

                // The leader is told the old leader id, so it does not run a useless assignment a
                // Stable group would not pass on; from v9 it is told to skip the assignment instead.
                var isLeader = IsLeader(newMemberId);
                var skip = isLeader && command.SupportsSkipAssignment;
                reply.TrySetResult(new JoinGroupResult(
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

    private void Sync(SyncGroupCommand command, TaskCompletionSource<SyncGroupResult> reply)
    {
        if (_state == GroupState.Dead)
        {
            reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.CoordinatorNotAvailable));
            return;
        }

        if (IsStaticMemberFenced(command.GroupInstanceId, command.MemberId))
        {
            reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.FencedInstanceId));
            return;
        }

        if (!_members.TryGetValue(command.MemberId, out var member))
        {
            reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
            return;
        }

        if (command.GenerationId != _generation)
        {
            reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.IllegalGeneration));
            return;
        }

        if ((command.ProtocolType is not null && command.ProtocolType != _protocolType)
            || (command.ProtocolName is not null && command.ProtocolName != _protocolName))
        {
            reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));
            return;
        }

        switch (_state)
        {
            case GroupState.PreparingRebalance:
                reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
                return;
            case GroupState.CompletingRebalance:
                member.AwaitingSync?.TrySetResult(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
                member.AwaitingSync = reply;
                _pendingSync.Remove(member.MemberId);
                if (IsLeader(member.MemberId))
                {
                    CompleteSync(command.Assignments);
                }

                return;
            case GroupState.Stable:
                _pendingSync.Remove(member.MemberId);
                ScheduleSession(member, member.SessionTimeout);
                reply.TrySetResult(new SyncGroupResult(ErrorCode.None, _protocolType, _protocolName, member.Assignment));
                return;
            default:
                reply.TrySetResult(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
                return;
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
            GroupLogging.StoreFailed(_logger, GroupId, error);
            ResetAndPropagateAssignmentError(error);
            MaybePrepareRebalance("the assignment could not be stored");
            return;
        }

        SetAndPropagateAssignment(assignments);
        Transition(GroupState.Stable);
        GroupLogging.Stable(_logger, GroupId, _generation);
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

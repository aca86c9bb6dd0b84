using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// The consumer protocol (KIP-848) on one group: ConsumerGroupHeartbeat, member epochs, the
/// server-side target assignment and each member's incremental reconciliation towards it.
/// A group is either classic or of this protocol (<see cref="_consumerProtocol"/> set); both
/// keep their offsets in the same table, and the same loop owns everything. An empty group of
/// one protocol becomes the other when a member of the other joins, as in Kafka.
/// Reconciliation follows Kafka's rules: a member first gives up the partitions it no longer
/// has in its target (keeping its epoch), and a partition goes to its new owner only once the
/// previous owner released it, so no partition is ever owned by two members.
/// </summary>
internal sealed partial class ConsumerGroup
{
    /// <summary>Set while the group is a consumer-protocol group; null for a classic one. Loop only.</summary>
    private ConsumerProtocolState? _consumerProtocol;

    private ConsumerProtocolSettings ConsumerSettings => _settings.ConsumerProtocol;

    private bool IsEmptyClassicGroup => _consumerProtocol is null && _members.Count == 0 && _pendingMembers.Count == 0 && _state == GroupState.Empty;

    public Task<ConsumerHeartbeatResult> ConsumerHeartbeatAsync(ConsumerHeartbeatCommand command) => Run(() => ConsumerHeartbeat(command));

    public Task<ConsumerGroupDescription> DescribeConsumerGroupAsync() => Run(DescribeConsumerGroup);

    /// <summary>Rebuilds the consumer-protocol state a replay found (queued after <see cref="Restore"/>'s own load).</summary>
    public void RestoreConsumerProtocol(ReplayedConsumerProtocolGroup replayed)
    {
        if (replayed.Exists)
        {
            Post(() => LoadConsumerProtocol(replayed));
        }
    }

    private ConsumerHeartbeatResult ConsumerHeartbeat(ConsumerHeartbeatCommand command)
    {
        if (_state == GroupState.Dead)
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.CoordinatorNotAvailable);
        }

        var leaving = command.MemberEpoch is ConsumerProtocolMember.LeaveEpoch or ConsumerProtocolMember.StaticLeaveEpoch;
        var records = new List<GroupRecord>();
        var group = _consumerProtocol;
        if (group is null)
        {
            if (!IsEmptyClassicGroup)
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.GroupIdNotFound, $"Group {GroupId} is not a consumer group.");
            }

            if (command.MemberEpoch != 0)
            {
                return leaving
                    ? ConsumerHeartbeatResult.Failed(ErrorCode.GroupIdNotFound, $"Consumer group {GroupId} not found.")
                    : ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Consumer group {GroupId} not found.");
            }

            // An empty classic group (or one that only holds offsets) becomes a consumer group; its offsets stay.
            group = new ConsumerProtocolState();
            if (_generation > 0 || _protocolType is not null)
            {
                records.Add(new GroupRecord(GroupRecords.GroupKey(GroupId), null));
            }
        }

        if (leaving)
        {
            return ConsumerLeave(group, command);
        }

        var memberId = command.MemberId.Length > 0 ? command.MemberId : Guid.NewGuid().ToString("N");
        if (group.Members.Count >= ConsumerSettings.MaxSize && !group.Members.ContainsKey(memberId)
            && !(command.InstanceId is { } joining && group.StaticMembers.ContainsKey(joining)))
        {
            return ConsumerHeartbeatResult.Failed(ErrorCode.GroupMaxSizeReached, $"The consumer group has reached its maximum capacity of {ConsumerSettings.MaxSize} members.");
        }

        var (error, message, member, replaced) = ResolveMember(group, memberId, command);
        if (error != ErrorCode.None)
        {
            return ConsumerHeartbeatResult.Failed(error, message);
        }

        group.Members.TryGetValue(member!.MemberId, out var stored);
        var updated = member with
        {
            InstanceId = command.InstanceId ?? member.InstanceId,
            RackId = command.RackId ?? member.RackId,
            RebalanceTimeoutMs = command.RebalanceTimeoutMs != -1 ? command.RebalanceTimeoutMs : member.RebalanceTimeoutMs,
            ServerAssignor = command.ServerAssignor ?? member.ServerAssignor,
            SubscribedTopicNames = command.SubscribedTopicNames ?? member.SubscribedTopicNames,
            SubscribedTopicRegex = command.SubscribedTopicRegex is null ? member.SubscribedTopicRegex : command.SubscribedTopicRegex.Length == 0 ? null : command.SubscribedTopicRegex,
            ClientId = command.ClientId,
            ClientHost = command.ClientHost,
        };

        // 1. The subscription: a new member or a changed subscription starts a new group epoch, and so
        //    does a change in the topics subscribed to (a topic created that a regex matches, partitions added).
        var baseline = stored ?? replaced;
        var bump = baseline is null || updated.SubscriptionDiffers(baseline);
        if (replaced is not null)
        {
            records.AddRange(ConsumerGroupRecords.MemberTombstones(GroupId, replaced.MemberId));
        }

        if (stored is null || updated.MetadataDiffers(stored))
        {
            records.Add(ConsumerGroupRecords.Member(GroupId, updated));
        }

        var members = group.Members.Values
            .Where(m => m.MemberId != updated.MemberId && m.MemberId != replaced?.MemberId)
            .Append(updated)
            .ToList();
        var subscribed = group.ResolveSubscriptions(members, ConsumerSettings.Topics);
        var topicsChanged = !SameTopics(subscribed, group.SubscribedTopics);
        if (topicsChanged)
        {
            bump = true;
            records.Add(ConsumerGroupRecords.SubscriptionMetadata(GroupId, subscribed.Values));
        }

        var groupEpoch = group.GroupEpoch + (bump ? 1 : 0);
        if (bump)
        {
            records.Add(ConsumerGroupRecords.GroupEpoch(GroupId, groupEpoch));
        }

        // 2. The target assignment, recomputed for the whole group when the group epoch moved past it.
        var targets = new Dictionary<string, PartitionAssignment>(group.Targets, StringComparer.Ordinal);
        if (replaced is not null && targets.Remove(replaced.MemberId, out var inherited))
        {
            targets[updated.MemberId] = inherited;
            records.Add(ConsumerGroupRecords.Target(GroupId, updated.MemberId, inherited));
        }

        var targetEpoch = group.TargetEpoch;
        if (groupEpoch > targetEpoch)
        {
            var assignor = PreferredAssignor(members);
            var counts = subscribed.Values.ToDictionary(t => t.Id, t => t.PartitionCount);
            var input = members
                .Select(m => new AssignorMember(m.MemberId, m.InstanceId, group.TopicIdsOf(m, subscribed), targets.GetValueOrDefault(m.MemberId) ?? PartitionAssignment.Empty))
                .ToList();
            var computed = ConsumerAssignors.Assign(assignor, input, counts);
            foreach (var (id, computedTarget) in computed)
            {
                if (!targets.TryGetValue(id, out var previous) || !previous.SetEquals(computedTarget))
                {
                    records.Add(ConsumerGroupRecords.Target(GroupId, id, computedTarget));
                }
            }

            targets = computed;
            targetEpoch = groupEpoch;
            records.Add(ConsumerGroupRecords.TargetEpoch(GroupId, targetEpoch));
            GroupLogging.ConsumerTargetAssignment(_logger, GroupId, targetEpoch, assignor, members.Count);
        }

        // 3. The member moves towards its target as far as the partitions others still own allow.
        var target = targets.GetValueOrDefault(updated.MemberId) ?? PartitionAssignment.Empty;
        var reconciled = updated.IsReconciledTo(targetEpoch) ? updated : Reconcile(group, updated, targetEpoch, target, command.OwnedPartitions);
        var assignmentChanged = stored is null || reconciled.AssignmentDiffers(stored);
        if (assignmentChanged)
        {
            records.Add(ConsumerGroupRecords.CurrentAssignment(GroupId, reconciled));
        }

        if (records.Count > 0)
        {
            var storeError = MapGroupStoreError(_sink.Append(records, _time.GetUtcNow().ToUnixTimeMilliseconds()));
            if (storeError != ErrorCode.None)
            {
                GroupLogging.StoreFailed(_logger, GroupId, storeError);
                return ConsumerHeartbeatResult.Failed(storeError);
            }
        }

        // Stored: now the state follows.
        _consumerProtocol = group;
        if (replaced is not null)
        {
            StopConsumerTimers(group, replaced.MemberId);
            group.Remove(replaced.MemberId);
            GroupLogging.StaticMemberReplaced(_logger, GroupId, replaced.InstanceId ?? "", replaced.MemberId, updated.MemberId);
        }

        group.GroupEpoch = groupEpoch;
        if (topicsChanged)
        {
            group.SubscribedTopics.Clear();
            foreach (var (name, topic) in subscribed)
            {
                group.SubscribedTopics[name] = topic;
            }
        }

        group.Targets.Clear();
        foreach (var (id, memberTarget) in targets)
        {
            group.Targets[id] = memberTarget;
        }

        group.TargetEpoch = targetEpoch;
        group.Put(reconciled);
        if (stored is null)
        {
            GroupLogging.ConsumerMemberJoined(_logger, GroupId, reconciled.MemberId, reconciled.InstanceId);
        }

        ScheduleConsumerSession(group, reconciled.MemberId);
        if (assignmentChanged)
        {
            if (reconciled.State == MemberReconciliation.UnrevokedPartitions)
            {
                ScheduleConsumerRebalanceTimeout(group, reconciled);
            }
            else
            {
                CancelConsumerRebalanceTimeout(group, reconciled.MemberId);
            }
        }

        UpdateClassicView();

        // The assignment goes back when the member sent a full request (joining, or after an error) or when it changed.
        var full = command.MemberEpoch == 0 || (command.RebalanceTimeoutMs != -1 && command.SubscribedTopicNames is not null && command.OwnedPartitions is not null);
        var sendAssignment = full || stored is null || !reconciled.Assigned.SetEquals(stored.Assigned);
        return new ConsumerHeartbeatResult(
            ErrorCode.None,
            null,
            reconciled.MemberId,
            reconciled.MemberEpoch,
            (int)ConsumerSettings.HeartbeatInterval.TotalMilliseconds,
            sendAssignment ? reconciled.Assigned : null);
    }

    /// <summary>
    /// Finds the member a heartbeat is from, or the new one it makes: Kafka's checks of member ids,
    /// static instance ids and epochs. <c>Replaced</c> is the static member a rejoining instance takes over from.
    /// </summary>
    private static (ErrorCode Error, string? Message, ConsumerProtocolMember? Member, ConsumerProtocolMember? Replaced) ResolveMember(
        ConsumerProtocolState group, string memberId, ConsumerHeartbeatCommand command)
    {
        if (command.InstanceId is not { } instance)
        {
            if (group.Members.TryGetValue(memberId, out var existing))
            {
                if (command.MemberEpoch == 0)
                {
                    return (ErrorCode.None, null, Rejoin(existing), null);
                }

                var error = ValidateMemberEpoch(existing, command);
                return error is null ? (ErrorCode.None, null, existing, null) : (ErrorCode.FencedMemberEpoch, error, null, null);
            }

            return command.MemberEpoch == 0
                ? (ErrorCode.None, null, new ConsumerProtocolMember { MemberId = memberId }, null)
                : (ErrorCode.UnknownMemberId, $"Member {memberId} is not a member of the group.", null, null);
        }

        var current = group.StaticMembers.TryGetValue(instance, out var currentId) ? group.Members.GetValueOrDefault(currentId) : null;
        if (command.MemberEpoch == 0)
        {
            if (current is null)
            {
                return (ErrorCode.None, null, new ConsumerProtocolMember { MemberId = memberId, InstanceId = instance }, null);
            }

            if (current.MemberId == memberId)
            {
                return (ErrorCode.None, null, Rejoin(current), null);
            }

            if (current.MemberEpoch != ConsumerProtocolMember.StaticLeaveEpoch)
            {
                return (ErrorCode.UnreleasedInstanceId, $"Static member {memberId} with instance id {instance} cannot join the group because the instance id is owned by member {current.MemberId}.", null, null);
            }

            // The instance comes back under a new member id: it takes over the old member's assignment without a rebalance.
            return (ErrorCode.None, null, current with { MemberId = memberId, MemberEpoch = 0, PreviousMemberEpoch = 0 }, current);
        }

        if (current is null)
        {
            return (ErrorCode.UnknownMemberId, $"Instance id {instance} is unknown.", null, null);
        }

        if (current.MemberId != memberId)
        {
            return (ErrorCode.FencedInstanceId, $"Static member {memberId} with instance id {instance} was fenced by member {current.MemberId}.", null, null);
        }

        var epochError = ValidateMemberEpoch(current, command);
        return epochError is null ? (ErrorCode.None, null, current, null) : (ErrorCode.FencedMemberEpoch, epochError, null, null);
    }

    /// <summary>
    /// A member that comes back with epoch 0 under its own id (after it was fenced or lost its
    /// session) starts over: it owns nothing (a joining member must say so) and reconciles from scratch.
    /// </summary>
    private static ConsumerProtocolMember Rejoin(ConsumerProtocolMember member) => member with
    {
        MemberEpoch = 0,
        PreviousMemberEpoch = 0,
        State = MemberReconciliation.Stable,
        Assigned = PartitionAssignment.Empty,
        PendingRevocation = PartitionAssignment.Empty,
    };

    /// <summary>
    /// Kafka's epoch check: a newer epoch than the coordinator's is fenced; an older one only passes
    /// when it is the previous epoch and the member owns no more than it is assigned (it missed the
    /// last answer). Null when the epoch is acceptable.
    /// </summary>
    private static string? ValidateMemberEpoch(ConsumerProtocolMember member, ConsumerHeartbeatCommand command)
    {
        if (command.MemberEpoch > member.MemberEpoch)
        {
            return $"The consumer group member has a greater member epoch ({command.MemberEpoch}) than the one known by the group coordinator ({member.MemberEpoch}). The member must abandon all its partitions and rejoin.";
        }

        if (command.MemberEpoch < member.MemberEpoch
            && (command.MemberEpoch != member.PreviousMemberEpoch || command.OwnedPartitions is null || !command.OwnedPartitions.All().All(tp => member.Assigned.Contains(tp.TopicId, tp.Partition))))
        {
            return $"The consumer group member has a smaller member epoch ({command.MemberEpoch}) than the one known by the group coordinator ({member.MemberEpoch}). The member must abandon all its partitions and rejoin.";
        }

        return null;
    }

    /// <summary>
    /// One step of a member towards its target (Kafka's CurrentAssignmentBuilder): a member that must
    /// give up partitions waits at its epoch until its heartbeat no longer lists them; then it moves to
    /// the target epoch with every target partition that no other member still owns.
    /// </summary>
    private static ConsumerProtocolMember Reconcile(ConsumerProtocolState group, ConsumerProtocolMember member, int targetEpoch, PartitionAssignment target, PartitionAssignment? owned)
    {
        switch (member.State)
        {
            case MemberReconciliation.Stable:
                return member.MemberEpoch != targetEpoch ? NextAssignment(group, member, member.MemberEpoch, targetEpoch, target, owned) : member;
            case MemberReconciliation.UnrevokedPartitions:
                return OwnsAny(owned, member.PendingRevocation)
                    ? member
                    : NextAssignment(group, member, member.MemberEpoch + 1, targetEpoch, target, owned);
            default:
                return NextAssignment(group, member, member.MemberEpoch, targetEpoch, target, owned);
        }
    }

    private static ConsumerProtocolMember NextAssignment(
        ConsumerProtocolState group, ConsumerProtocolMember member, int memberEpoch, int targetEpoch, PartitionAssignment target, PartitionAssignment? owned)
    {
        var kept = new List<(Guid, int)>();
        var revoke = new List<(Guid, int)>();
        var add = new List<(Guid, int)>();
        var unreleased = false;
        foreach (var (topicId, partition) in member.Assigned.All())
        {
            (target.Contains(topicId, partition) ? kept : revoke).Add((topicId, partition));
        }

        foreach (var (topicId, partition) in target.All())
        {
            if (member.Assigned.Contains(topicId, partition))
            {
                continue;
            }

            if (group.IsOwnedByAnother(member.MemberId, topicId, partition))
            {
                unreleased = true;
            }
            else
            {
                add.Add((topicId, partition));
            }
        }

        var pendingRevocation = PartitionAssignment.From(revoke);
        if (!pendingRevocation.IsEmpty && OwnsAny(owned, pendingRevocation))
        {
            return member with
            {
                State = MemberReconciliation.UnrevokedPartitions,
                PreviousMemberEpoch = member.MemberEpoch,
                MemberEpoch = memberEpoch,
                Assigned = PartitionAssignment.From(kept),
                PendingRevocation = pendingRevocation,
            };
        }

        return member with
        {
            State = unreleased ? MemberReconciliation.UnreleasedPartitions : MemberReconciliation.Stable,
            PreviousMemberEpoch = member.MemberEpoch,
            MemberEpoch = targetEpoch,
            Assigned = PartitionAssignment.From(kept.Concat(add)),
            PendingRevocation = PartitionAssignment.Empty,
        };
    }

    /// <summary>Whether the member still owns one of <paramref name="partitions"/>; a heartbeat without its owned partitions counts as owning them.</summary>
    private static bool OwnsAny(PartitionAssignment? owned, PartitionAssignment partitions) =>
        owned is null || owned.All().Any(tp => partitions.Contains(tp.TopicId, tp.Partition));

    private static bool SameTopics(Dictionary<string, TopicDescription> a, Dictionary<string, TopicDescription> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other == kv.Value);

    /// <summary>The assignor most members ask for (ties: the earlier in <c>group.consumer.assignors</c>), else the first configured one.</summary>
    private string PreferredAssignor(IEnumerable<ConsumerProtocolMember> members)
    {
        var configured = ConsumerSettings.Assignors;
        var votes = members.Where(m => m.ServerAssignor is not null).GroupBy(m => m.ServerAssignor!, StringComparer.Ordinal).ToList();
        if (votes.Count == 0)
        {
            return configured[0];
        }

        return votes
            .OrderByDescending(g => g.Count())
            .ThenBy(g => configured.ToList().IndexOf(g.Key) is var i && i >= 0 ? i : int.MaxValue)
            .First().Key;
    }

    // ---- leaving and removal ----

    private ConsumerHeartbeatResult ConsumerLeave(ConsumerProtocolState group, ConsumerHeartbeatCommand command)
    {
        ConsumerProtocolMember? member;
        if (command.InstanceId is not { } instance)
        {
            if (!group.Members.TryGetValue(command.MemberId, out member))
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Member {command.MemberId} is not a member of the group.");
            }
        }
        else
        {
            member = group.StaticMembers.TryGetValue(instance, out var currentId) ? group.Members.GetValueOrDefault(currentId) : null;
            if (member is null)
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.UnknownMemberId, $"Instance id {instance} is unknown.");
            }

            if (member.MemberId != command.MemberId)
            {
                return ConsumerHeartbeatResult.Failed(ErrorCode.FencedInstanceId, $"Static member {command.MemberId} with instance id {instance} was fenced by member {member.MemberId}.");
            }

            if (command.MemberEpoch == ConsumerProtocolMember.StaticLeaveEpoch)
            {
                // A static member leaving for a while keeps its assignment; its session timeout still runs.
                var away = member with { MemberEpoch = ConsumerProtocolMember.StaticLeaveEpoch, PendingRevocation = PartitionAssignment.Empty };
                var error = MapGroupStoreError(_sink.Append([ConsumerGroupRecords.CurrentAssignment(GroupId, away)], _time.GetUtcNow().ToUnixTimeMilliseconds()));
                if (error != ErrorCode.None)
                {
                    return ConsumerHeartbeatResult.Failed(error);
                }

                group.Put(away);
                CancelConsumerRebalanceTimeout(group, away.MemberId);
                UpdateClassicView();
                return new ConsumerHeartbeatResult(ErrorCode.None, null, away.MemberId, ConsumerProtocolMember.StaticLeaveEpoch, 0, null);
            }
        }

        var removed = RemoveConsumerMember(group, member, "the member left the group");
        return removed == ErrorCode.None
            ? new ConsumerHeartbeatResult(ErrorCode.None, null, member.MemberId, command.MemberEpoch, 0, null)
            : ConsumerHeartbeatResult.Failed(removed);
    }

    /// <summary>
    /// Takes a member out (it left, its session expired, or it did not revoke in time): its records
    /// are tombstoned and the group epoch moves on, so the next heartbeat hands its partitions to the others.
    /// </summary>
    private ErrorCode RemoveConsumerMember(ConsumerProtocolState group, ConsumerProtocolMember member, string reason)
    {
        var records = ConsumerGroupRecords.MemberTombstones(GroupId, member.MemberId).ToList();
        var remaining = group.Members.Values.Where(m => m.MemberId != member.MemberId).ToList();
        var subscribed = group.ResolveSubscriptions(remaining, ConsumerSettings.Topics);
        var topicsChanged = !SameTopics(subscribed, group.SubscribedTopics);
        if (topicsChanged)
        {
            records.Add(ConsumerGroupRecords.SubscriptionMetadata(GroupId, subscribed.Values));
        }

        records.Add(ConsumerGroupRecords.GroupEpoch(GroupId, group.GroupEpoch + 1));
        var error = MapGroupStoreError(_sink.Append(records, _time.GetUtcNow().ToUnixTimeMilliseconds()));
        if (error != ErrorCode.None)
        {
            GroupLogging.StoreFailed(_logger, GroupId, error);
            return error;
        }

        StopConsumerTimers(group, member.MemberId);
        group.Remove(member.MemberId);
        group.GroupEpoch++;
        if (topicsChanged)
        {
            group.SubscribedTopics.Clear();
            foreach (var (name, topic) in subscribed)
            {
                group.SubscribedTopics[name] = topic;
            }
        }

        GroupLogging.MemberRemoved(_logger, GroupId, member.MemberId, reason);
        UpdateClassicView();
        return ErrorCode.None;
    }

    // ---- timers ----

    private static ConsumerMemberTimers TimersOf(ConsumerProtocolState group, string memberId)
    {
        if (!group.Timers.TryGetValue(memberId, out var timers))
        {
            group.Timers[memberId] = timers = new ConsumerMemberTimers();
        }

        return timers;
    }

    private void ScheduleConsumerSession(ConsumerProtocolState group, string memberId)
    {
        var timers = TimersOf(group, memberId);
        timers.Session?.Dispose();
        var sequence = ++timers.SessionSequence;
        timers.Session = _time.CreateTimer(_ => Post(() => OnConsumerSessionTimeout(memberId, sequence)), null, ConsumerSettings.SessionTimeout, Timeout.InfiniteTimeSpan);
    }

    private void OnConsumerSessionTimeout(string memberId, int sequence)
    {
        if (_consumerProtocol is not { } group
            || !group.Timers.TryGetValue(memberId, out var timers)
            || timers.SessionSequence != sequence
            || !group.Members.TryGetValue(memberId, out var member))
        {
            return;
        }

        RemoveConsumerMember(group, member, "session timeout expired");
    }

    /// <summary>A member asked to revoke partitions has its rebalance timeout to do so (and move past its epoch), or it is removed.</summary>
    private void ScheduleConsumerRebalanceTimeout(ConsumerProtocolState group, ConsumerProtocolMember member)
    {
        var timers = TimersOf(group, member.MemberId);
        timers.Rebalance?.Dispose();
        var sequence = ++timers.RebalanceSequence;
        var epoch = member.MemberEpoch;
        var memberId = member.MemberId;
        var timeout = member.RebalanceTimeoutMs > 0 ? TimeSpan.FromMilliseconds(member.RebalanceTimeoutMs) : ConsumerSettings.SessionTimeout;
        timers.Rebalance = _time.CreateTimer(_ => Post(() => OnConsumerRebalanceTimeout(memberId, sequence, epoch)), null, timeout, Timeout.InfiniteTimeSpan);
    }

    private static void CancelConsumerRebalanceTimeout(ConsumerProtocolState group, string memberId)
    {
        if (group.Timers.TryGetValue(memberId, out var timers))
        {
            timers.Rebalance?.Dispose();
            timers.Rebalance = null;
            timers.RebalanceSequence++;
        }
    }

    private void OnConsumerRebalanceTimeout(string memberId, int sequence, int epoch)
    {
        if (_consumerProtocol is not { } group
            || !group.Timers.TryGetValue(memberId, out var timers)
            || timers.RebalanceSequence != sequence
            || !group.Members.TryGetValue(memberId, out var member)
            || member.MemberEpoch != epoch
            || member.State != MemberReconciliation.UnrevokedPartitions)
        {
            return;
        }

        RemoveConsumerMember(group, member, $"it did not revoke its partitions within {member.RebalanceTimeoutMs} ms");
    }

    private static void StopConsumerTimers(ConsumerProtocolState group, string memberId)
    {
        if (group.Timers.Remove(memberId, out var timers))
        {
            timers.Dispose();
        }
    }

    /// <summary>Stops every member timer (the group is closing).</summary>
    private void StopConsumerProtocolTimers()
    {
        if (_consumerProtocol is { } group)
        {
            foreach (var timers in group.Timers.Values)
            {
                timers.Dispose();
            }

            group.Timers.Clear();
        }
    }

    // ---- the classic view, loading, describing ----

    /// <summary>
    /// Keeps the classic fields the shared code reads (offset commits, deletion, expiry, ListGroups)
    /// in step: protocol type "consumer", Stable while there are members and Empty without, and the
    /// topics subscribed to.
    /// </summary>
    private void UpdateClassicView()
    {
        if (_consumerProtocol is not { } group)
        {
            return;
        }

        _protocolType = GroupStates.ConsumerProtocolType;
        _subscribedTopics = new HashSet<string>(group.SubscribedTopics.Keys, StringComparer.Ordinal);
        var state = group.IsEmpty ? GroupState.Empty : GroupState.Stable;
        if (state != _state)
        {
            Transition(state);
        }
        else
        {
            PublishOverview();
        }
    }

    /// <summary>ListGroups' view of a consumer-protocol group.</summary>
    private GroupOverview ConsumerProtocolOverview(ConsumerProtocolState group) =>
        new(GroupId, GroupStates.ConsumerProtocolType, _state, GroupStates.ConsumerGroupType, group.StateName);

    private void LoadConsumerProtocol(ReplayedConsumerProtocolGroup replayed)
    {
        var group = new ConsumerProtocolState { GroupEpoch = replayed.GroupEpoch ?? 0, TargetEpoch = replayed.TargetEpoch };
        foreach (var topic in replayed.SubscribedTopics)
        {
            group.SubscribedTopics[topic.Name] = topic;
        }

        foreach (var (memberId, metadata) in replayed.Members)
        {
            var current = replayed.CurrentAssignments.GetValueOrDefault(memberId);
            group.Put(new ConsumerProtocolMember
            {
                MemberId = memberId,
                InstanceId = metadata.InstanceId,
                RackId = metadata.RackId,
                ClientId = metadata.ClientId,
                ClientHost = metadata.ClientHost,
                SubscribedTopicNames = [.. metadata.SubscribedTopicNames],
                SubscribedTopicRegex = metadata.SubscribedTopicRegex,
                RebalanceTimeoutMs = metadata.RebalanceTimeoutMs,
                ServerAssignor = metadata.ServerAssignor,
                MemberEpoch = current?.MemberEpoch ?? 0,
                PreviousMemberEpoch = current?.PreviousMemberEpoch ?? 0,
                State = current is null ? MemberReconciliation.Stable : (MemberReconciliation)current.State,
                Assigned = current is null ? PartitionAssignment.Empty : ConsumerGroupRecords.FromRecord(current.AssignedPartitions),
                PendingRevocation = current is null ? PartitionAssignment.Empty : ConsumerGroupRecords.FromRecord(current.PartitionsPendingRevocation),
            });
        }

        foreach (var (memberId, target) in replayed.Targets)
        {
            if (group.Members.ContainsKey(memberId))
            {
                group.Targets[memberId] = target;
            }
        }

        _consumerProtocol = group;

        // As Kafka does on load: every member gets a full session to find the new coordinator.
        foreach (var member in group.Members.Values)
        {
            ScheduleConsumerSession(group, member.MemberId);
            if (member.State == MemberReconciliation.UnrevokedPartitions)
            {
                ScheduleConsumerRebalanceTimeout(group, member);
            }
        }

        UpdateClassicView();
    }

    private ConsumerGroupDescription DescribeConsumerGroup()
    {
        if (_consumerProtocol is not { } group || _state == GroupState.Dead)
        {
            return ConsumerGroupDescription.Failed(ErrorCode.GroupIdNotFound, $"Group {GroupId} is not a consumer group.");
        }

        return new ConsumerGroupDescription(
            ErrorCode.None,
            null,
            group.StateName,
            group.GroupEpoch,
            group.TargetEpoch,
            PreferredAssignor(group.Members.Values),
            group.Members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal).Select(m => (m, group.TargetOf(m.MemberId))).ToList());
    }

    // ---- the other APIs on a consumer-protocol group ----

    /// <summary>
    /// Kafka's member-epoch check of an offset commit to a consumer-protocol group (also inside a
    /// transaction): epoch -1 may commit to an empty group (admin tools); otherwise the member must
    /// exist (UNKNOWN_MEMBER_ID) and send its current epoch (STALE_MEMBER_EPOCH).
    /// </summary>
    private static ErrorCode ValidateConsumerProtocolCommit(ConsumerProtocolState group, string memberId, int memberEpoch)
    {
        if (memberEpoch < 0 && group.IsEmpty)
        {
            return ErrorCode.None;
        }

        if (!group.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    /// <summary>
    /// OffsetFetch v9's check for a consumer-protocol group: a request naming a member must come
    /// from a current member at its current epoch; one without (admin tools) always passes.
    /// </summary>
    public Task<(ErrorCode Error, IReadOnlyList<FetchedOffset> Offsets)> FetchOffsetsAsync(
        IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics, string? memberId, int memberEpoch) =>
        Run<(ErrorCode, IReadOnlyList<FetchedOffset>)>(() =>
        {
            if (_consumerProtocol is { } group && (memberId is not null || memberEpoch >= 0))
            {
                var error = !group.Members.TryGetValue(memberId ?? "", out var member) ? ErrorCode.UnknownMemberId
                    : member.MemberEpoch != memberEpoch ? ErrorCode.StaleMemberEpoch
                    : ErrorCode.None;
                if (error != ErrorCode.None)
                {
                    return (error, []);
                }
            }

            return (ErrorCode.None, FetchOffsets(topics));
        });

    /// <summary>
    /// Whether a classic JoinGroup may go on: always for a classic group; an empty consumer-protocol
    /// group first becomes classic (its records are deleted), a consumer-protocol group with members
    /// answers INCONSISTENT_GROUP_PROTOCOL (classic members in such groups are not served).
    /// </summary>
    private bool AdmitClassicJoin(JoinGroupCommand command, TaskCompletionSource<JoinGroupResult> reply)
    {
        if (_consumerProtocol is not { } group)
        {
            return true;
        }

        if (!group.IsEmpty)
        {
            reply.TrySetResult(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, command.MemberId));
            return false;
        }

        var error = MapGroupStoreError(_sink.Append(ConsumerGroupRecords.GroupTombstones(GroupId).ToList(), _time.GetUtcNow().ToUnixTimeMilliseconds()));
        if (error != ErrorCode.None)
        {
            reply.TrySetResult(JoinGroupResult.Failed(error, command.MemberId));
            return false;
        }

        StopConsumerProtocolTimers();
        _consumerProtocol = null;
        _protocolType = null;
        _subscribedTopics = null;
        PublishOverview();
        return true;
    }

    /// <summary>The tombstones that delete the group's own record(s) when it is deleted or expires.</summary>
    private IEnumerable<GroupRecord> GroupRecordTombstones() =>
        _consumerProtocol is null ? [new GroupRecord(GroupRecords.GroupKey(GroupId), null)] : ConsumerGroupRecords.GroupTombstones(GroupId);
}

using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Messages.Internal;

namespace Samsa.Broker.Groups;

/// <summary>
/// One classic consumer group: its members, generation, protocol, assignments and committed
/// offsets, and the state machine Kafka runs for it (see <see cref="GroupState"/>).
/// The group is changed only by its own loop, which takes commands from a channel one at a time:
/// requests (JoinGroup, SyncGroup, ...) and timer expiries (session, rebalance, initial delay)
/// are all posted there, so nothing here needs a lock. A JoinGroup or SyncGroup that has to wait
/// for the rest of the group gets a task that the loop completes when the rebalance moves on.
/// Writes to <c>__consumer_offsets</c> happen on the loop, before the request is answered.
/// This file holds the loop and the transitions; the APIs are in the partial files.
/// </summary>
internal sealed partial class ConsumerGroup
{
    private readonly GroupSettings _settings;
    private readonly IGroupRecordSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);

    /// <summary>Static members: group instance id -> current member id.</summary>
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED, each expiring after its session timeout.</summary>
    private readonly Dictionary<string, ITimer> _pendingMembers = new(StringComparer.Ordinal);

    /// <summary>Members that got this generation's JoinGroup answer but have not sent SyncGroup yet.</summary>
    private readonly HashSet<string> _pendingSync = new(StringComparer.Ordinal);

    private readonly Dictionary<TopicPartitionKey, CommittedOffset> _offsets = [];
    private GroupState _state = GroupState.Empty;
    private int _generation;
    private string? _protocolType;
    private string? _protocolName;
    private string? _leaderId;
    private HashSet<string>? _subscribedTopics;
    private DateTimeOffset _stateChanged;

    /// <summary>The one rebalance timer: the join phase (initial delay or rebalance timeout) or the sync phase.</summary>
    private ITimer? _rebalanceTimer;
    private int _rebalanceSequence;
    private bool _inInitialDelay;
    private TimeSpan _initialDelayRemaining;
    private bool _newMemberAdded;
    private bool _closed;
    private volatile GroupOverview _overview;

    public ConsumerGroup(string groupId, GroupSettings settings, IGroupRecordSink sink, TimeProvider time, ILogger logger)
    {
        GroupId = groupId;
        _settings = settings;
        _sink = sink;
        _time = time;
        _logger = logger;
        _stateChanged = time.GetUtcNow();
        _overview = new GroupOverview(groupId, "", GroupState.Empty);
        Completion = Task.Run(RunAsync);
    }

    public string GroupId { get; }

    /// <summary>State and protocol type as of the last transition, readable from any thread (ListGroups).</summary>
    public GroupOverview Overview => _overview;

    /// <summary>Completes when the loop has ended (after <see cref="CloseAsync"/>).</summary>
    public Task Completion { get; }

    /// <summary>
    /// Rebuilds a group from what <c>__consumer_offsets</c> holds for it: a group that had members
    /// comes back Stable with them (each gets a fresh session timeout to reconnect in), one without
    /// comes back Empty.
    /// </summary>
    public static ConsumerGroup Restore(
        string groupId,
        GroupMetadataValue? metadata,
        IReadOnlyDictionary<TopicPartitionKey, CommittedOffset> offsets,
        GroupSettings settings,
        IGroupRecordSink sink,
        TimeProvider time,
        ILogger logger)
    {
        var group = new ConsumerGroup(groupId, settings, sink, time, logger);
        group.Post(() => group.Load(metadata, offsets));
        return group;
    }

    private void Load(GroupMetadataValue? metadata, IReadOnlyDictionary<TopicPartitionKey, CommittedOffset> offsets)
    {
        foreach (var (key, offset) in offsets)
        {
            _offsets[key] = offset;
        }

        if (metadata is null)
        {
            return;
        }

        _generation = metadata.Generation;
        _protocolType = metadata.ProtocolType.Length == 0 ? null : metadata.ProtocolType;
        _protocolName = metadata.Protocol;
        if (metadata.CurrentStateTimestamp >= 0)
        {
            _stateChanged = DateTimeOffset.FromUnixTimeMilliseconds(metadata.CurrentStateTimestamp);
        }

        if (metadata.Members.Count > 0 && _protocolName is not null)
        {
            foreach (var saved in metadata.Members)
            {
                var session = TimeSpan.FromMilliseconds(saved.SessionTimeout);
                var member = new GroupMember(saved.MemberId, saved.GroupInstanceId, saved.ClientId, saved.ClientHost)
                {
                    SessionTimeout = session,
                    RebalanceTimeout = saved.RebalanceTimeout >= 0 ? TimeSpan.FromMilliseconds(saved.RebalanceTimeout) : session,
                    ProtocolType = metadata.ProtocolType,
                    Protocols = [new GroupProtocol(_protocolName, saved.Subscription)],
                    Assignment = saved.Assignment,
                };
                _members[member.MemberId] = member;
                if (member.GroupInstanceId is { } instance)
                {
                    _staticMembers[instance] = member.MemberId;
                }

                ScheduleSession(member, member.SessionTimeout);
            }

            _leaderId = metadata.Leader is { } leader && _members.ContainsKey(leader) ? leader : _members.Keys.First();
            _subscribedTopics = ComputeSubscribedTopics();
            _state = GroupState.Stable;
        }
        else
        {
            _protocolName = null;
        }

        PublishOverview();
    }

    private async Task RunAsync()
    {
        var reader = _work.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var work))
            {
                try
                {
                    work();
                }
                catch (Exception e)
                {
                    GroupLogging.CommandFailed(_logger, e, GroupId);
                }
            }
        }
    }

    /// <summary>Runs <paramref name="operation"/> on the loop. Faults with <see cref="GroupClosedException"/> once the group is closed.</summary>
    private Task<T> Run<T>(Func<T> operation) => Reply<T>(reply => reply.TrySetResult(operation()));

    /// <summary>
    /// Runs <paramref name="operation"/> on the loop with the reply it completes, at once or later
    /// (a JoinGroup waiting for the rebalance keeps it). Faults with <see cref="GroupClosedException"/>
    /// once the group is closed. Replies run their continuations off the loop.
    /// </summary>
    private Task<T> Reply<T>(Action<TaskCompletionSource<T>> operation)
    {
        var reply = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _work.Writer.TryWrite(() =>
        {
            if (_closed)
            {
                reply.TrySetException(new GroupClosedException(GroupId));
                return;
            }

            try
            {
                operation(reply);
            }
            catch (Exception e)
            {
                reply.TrySetException(e);
            }
        });
        if (!posted)
        {
            reply.TrySetException(new GroupClosedException(GroupId));
        }

        return reply.Task;
    }

    /// <summary>Queues <paramref name="action"/> on the loop (timers use it); dropped once the group is closed.</summary>
    private void Post(Action action) => _work.Writer.TryWrite(() =>
    {
        if (!_closed)
        {
            action();
        }
    });

    /// <summary>
    /// Stops the group (its partition moved to another node, or the group was deleted): waiting
    /// JoinGroup and SyncGroup requests get <paramref name="error"/>, timers stop, and later
    /// commands fault with <see cref="GroupClosedException"/> so the caller can look the group up again.
    /// </summary>
    public Task CloseAsync(ErrorCode error = ErrorCode.NotCoordinator)
    {
        var closing = Run(() =>
        {
            Shutdown(error);
            return true;
        });
        return closing.ContinueWith(_ => Completion, TaskScheduler.Default).Unwrap();
    }

    private void Shutdown(ErrorCode error)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        foreach (var member in _members.Values)
        {
            member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failed(error, member.MemberId));
            member.AwaitingJoin = null;
            member.AwaitingSync?.TrySetResult(SyncGroupResult.Failed(error));
            member.AwaitingSync = null;
            member.SessionTimer?.Dispose();
            member.SessionTimer = null;
        }

        foreach (var timer in _pendingMembers.Values)
        {
            timer.Dispose();
        }

        _pendingMembers.Clear();
        StopConsumerProtocolTimers();
        CancelRebalanceTimer();
        _work.Writer.TryComplete();
    }

    private void Transition(GroupState state)
    {
        _state = state;
        _stateChanged = _time.GetUtcNow();
        PublishOverview();
    }

    private void PublishOverview() => _overview = _consumerProtocol is { } consumerProtocol
        ? ConsumerProtocolOverview(consumerProtocol)
        : new GroupOverview(GroupId, _protocolType ?? "", _state);

    private TimeSpan RebalanceTimeout()
    {
        var timeout = TimeSpan.Zero;
        foreach (var member in _members.Values)
        {
            if (member.RebalanceTimeout > timeout)
            {
                timeout = member.RebalanceTimeout;
            }
        }

        return timeout;
    }

    private bool IsLeader(string memberId) => _leaderId == memberId;

    /// <summary>True when <paramref name="instanceId"/> belongs to a member other than <paramref name="memberId"/>.</summary>
    private bool IsStaticMemberFenced(string? instanceId, string memberId) =>
        instanceId is not null && _staticMembers.TryGetValue(instanceId, out var current) && current != memberId;

    /// <summary>Kafka's member check: the instance id (when given) must map to this member id, and the member must exist.</summary>
    private ErrorCode ValidateMember(string memberId, string? instanceId)
    {
        if (instanceId is not null)
        {
            if (!_staticMembers.TryGetValue(instanceId, out var current))
            {
                return ErrorCode.UnknownMemberId;
            }

            if (current != memberId)
            {
                return ErrorCode.FencedInstanceId;
            }
        }

        return _members.ContainsKey(memberId) ? ErrorCode.None : ErrorCode.UnknownMemberId;
    }

    // ---- membership changes ----

    private void AddMember(GroupMember member)
    {
        if (_members.Count == 0)
        {
            _protocolType = member.ProtocolType;
            PublishOverview();
        }

        _members[member.MemberId] = member;
        if (member.GroupInstanceId is { } instance)
        {
            _staticMembers[instance] = member.MemberId;
        }

        _leaderId ??= member.MemberId;
    }

    /// <summary>Takes a member out without touching the rebalance (the callers decide what follows).</summary>
    private void RemoveMember(GroupMember member, string reason)
    {
        _members.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var current) && current == member.MemberId)
        {
            _staticMembers.Remove(instance);
        }

        _pendingSync.Remove(member.MemberId);
        member.SessionTimer?.Dispose();
        member.SessionTimer = null;
        if (_leaderId == member.MemberId)
        {
            _leaderId = _members.Count > 0 ? _members.Keys.First() : null;
        }

        GroupLogging.MemberRemoved(_logger, GroupId, member.MemberId, reason);
    }

    /// <summary>Kafka's removal of a current member (LeaveGroup, session timeout): its waiting JoinGroup fails, and the group rebalances.</summary>
    private void RemoveMemberAndUpdateGroup(GroupMember member, string reason)
    {
        member.AwaitingJoin?.TrySetResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        member.AwaitingJoin = null;
        RemoveMember(member, reason);
        switch (_state)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                PrepareRebalance(reason);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin();
                break;
        }
    }

    private void RemovePendingMember(string memberId)
    {
        if (_pendingMembers.Remove(memberId, out var timer))
        {
            timer.Dispose();
            if (_state == GroupState.PreparingRebalance)
            {
                TryCompleteJoin();
            }
        }
    }

    // ---- timers ----

    /// <summary>(Re)starts a member's session clock; when it runs out the member is removed (see <see cref="OnSessionTimeout"/>).</summary>
    private void ScheduleSession(GroupMember member, TimeSpan timeout)
    {
        member.SessionTimer?.Dispose();
        var sequence = ++member.SessionSequence;
        member.SessionTimer = _time.CreateTimer(_ => Post(() => OnSessionTimeout(member, sequence)), null, timeout, Timeout.InfiniteTimeSpan);
    }

    private void OnSessionTimeout(GroupMember member, int sequence)
    {
        if (member.SessionSequence != sequence || !_members.TryGetValue(member.MemberId, out var current) || current != member)
        {
            return;
        }

        // A member waiting for a rebalance answer counts as alive (it cannot heartbeat on a
        // connection that is busy with its JoinGroup); a new member may only wait so long.
        if ((member.AwaitingJoin is not null && !member.IsNew) || member.AwaitingSync is not null)
        {
            ScheduleSession(member, member.SessionTimeout);
            return;
        }

        RemoveMemberAndUpdateGroup(member, member.IsNew ? "new member did not complete its join in time" : "session timeout expired");
    }

    private void ScheduleRebalanceTimer(TimeSpan due, Action<int> onExpired)
    {
        CancelRebalanceTimer();
        var sequence = ++_rebalanceSequence;
        _rebalanceTimer = _time.CreateTimer(_ => Post(() => onExpired(sequence)), null, due, Timeout.InfiniteTimeSpan);
    }

    private void CancelRebalanceTimer()
    {
        _rebalanceSequence++;
        _rebalanceTimer?.Dispose();
        _rebalanceTimer = null;
    }

    // ---- the rebalance ----

    private void MaybePrepareRebalance(string reason)
    {
        if (_state is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty)
        {
            PrepareRebalance(reason);
        }
    }

    /// <summary>
    /// Starts a rebalance: members waiting in SyncGroup are told REBALANCE_IN_PROGRESS, and the join
    /// phase waits for every member to rejoin, at most the longest rebalance timeout. The first
    /// rebalance of an empty group waits the initial delay instead, longer while members keep coming.
    /// </summary>
    private void PrepareRebalance(string reason)
    {
        if (_state == GroupState.CompletingRebalance)
        {
            ResetAndPropagateAssignmentError(ErrorCode.RebalanceInProgress);
        }

        _pendingSync.Clear();
        var wasEmpty = _state == GroupState.Empty;
        GroupLogging.PreparingRebalance(_logger, GroupId, _state, _generation, reason);
        Transition(GroupState.PreparingRebalance);
        var timeout = RebalanceTimeout();
        if (wasEmpty)
        {
            var delay = _settings.InitialRebalanceDelay < timeout ? _settings.InitialRebalanceDelay : timeout;
            _initialDelayRemaining = timeout - delay;
            _inInitialDelay = true;
            _newMemberAdded = false;
            ScheduleRebalanceTimer(delay, OnInitialDelayExpired);
        }
        else
        {
            _inInitialDelay = false;
            ScheduleRebalanceTimer(timeout, OnJoinTimeout);
            TryCompleteJoin();
        }
    }

    private void OnInitialDelayExpired(int sequence)
    {
        if (sequence != _rebalanceSequence || _state != GroupState.PreparingRebalance)
        {
            return;
        }

        if (_newMemberAdded && _initialDelayRemaining > TimeSpan.Zero)
        {
            _newMemberAdded = false;
            var delay = _settings.InitialRebalanceDelay < _initialDelayRemaining ? _settings.InitialRebalanceDelay : _initialDelayRemaining;
            _initialDelayRemaining -= delay;
            ScheduleRebalanceTimer(delay, OnInitialDelayExpired);
            return;
        }

        CompleteJoin();
    }

    private void OnJoinTimeout(int sequence)
    {
        if (sequence == _rebalanceSequence && _state == GroupState.PreparingRebalance)
        {
            CompleteJoin();
        }
    }

    private bool AllMembersJoined()
    {
        if (_pendingMembers.Count > 0)
        {
            return false;
        }

        foreach (var member in _members.Values)
        {
            if (member.AwaitingJoin is null)
            {
                return false;
            }
        }

        return true;
    }

    private void TryCompleteJoin()
    {
        if (_state == GroupState.PreparingRebalance && !_inInitialDelay && AllMembersJoined())
        {
            CompleteJoin();
        }
    }

    /// <summary>
    /// Ends the join phase: dynamic members that did not rejoin are dropped, a leader is picked among
    /// those that did, the generation moves on, and every waiting JoinGroup is answered (the leader's
    /// with all members' metadata). An empty group is stored as such.
    /// </summary>
    private void CompleteJoin()
    {
        CancelRebalanceTimer();
        _inInitialDelay = false;
        foreach (var member in _members.Values.Where(m => m.AwaitingJoin is null && !m.IsStatic).ToList())
        {
            RemoveMember(member, "did not rejoin before the rebalance timeout");
        }

        if (!ElectJoinedLeader() && _members.Count > 0)
        {
            // Only static members that did not rejoin are left: wait for them (or their session timeout).
            ScheduleRebalanceTimer(RebalanceTimeout(), OnJoinTimeout);
            return;
        }

        InitNextGeneration();
        if (_state == GroupState.Empty)
        {
            var error = StoreGroup(new Dictionary<string, byte[]>());
            if (error != ErrorCode.None)
            {
                GroupLogging.StoreFailed(_logger, GroupId, error);
            }

            return;
        }

        GroupLogging.GenerationStarted(_logger, GroupId, _generation, _members.Count, _protocolName);
        var everyone = CurrentMembers();
        foreach (var member in _members.Values)
        {
            var result = new JoinGroupResult(
                ErrorCode.None,
                member.MemberId,
                _generation,
                _protocolType,
                _protocolName,
                _leaderId!,
                SkipAssignment: false,
                IsLeader(member.MemberId) ? everyone : []);
            member.AwaitingJoin?.TrySetResult(result);
            member.AwaitingJoin = null;
            member.IsNew = false;
            ScheduleSession(member, member.SessionTimeout);
            _pendingSync.Add(member.MemberId);
        }

        var generation = _generation;
        ScheduleRebalanceTimer(RebalanceTimeout(), sequence => OnSyncTimeout(sequence, generation));
    }

    private bool ElectJoinedLeader()
    {
        if (_leaderId is null)
        {
            return false;
        }

        if (_members[_leaderId].AwaitingJoin is not null)
        {
            return true;
        }

        var joined = _members.Values.FirstOrDefault(m => m.AwaitingJoin is not null);
        if (joined is null)
        {
            return false;
        }

        _leaderId = joined.MemberId;
        return true;
    }

    private void InitNextGeneration()
    {
        _generation++;
        _pendingSync.Clear();
        if (_members.Count > 0)
        {
            _protocolName = SelectProtocol();
            _subscribedTopics = ComputeSubscribedTopics();
            Transition(GroupState.CompletingRebalance);
        }
        else
        {
            _protocolName = null;
            _subscribedTopics = ComputeSubscribedTopics();
            Transition(GroupState.Empty);
        }
    }

    /// <summary>Members that have not sent SyncGroup within the rebalance timeout are dropped, and the group rebalances without them.</summary>
    private void OnSyncTimeout(int sequence, int generation)
    {
        if (sequence != _rebalanceSequence || generation != _generation || _state is not (GroupState.CompletingRebalance or GroupState.Stable) || _pendingSync.Count == 0)
        {
            return;
        }

        foreach (var memberId in _pendingSync.ToList())
        {
            if (_members.TryGetValue(memberId, out var member))
            {
                RemoveMember(member, "did not send SyncGroup before the rebalance timeout");
            }
        }

        PrepareRebalance("members did not sync in time");
    }

    private List<JoinedMember> CurrentMembers() =>
        _members.Values.Select(m => new JoinedMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(_protocolName))).ToList();

    /// <summary>
    /// Every member votes for the first protocol in its list that all members support; the most
    /// votes win (ties go to the protocol the earliest member prefers).
    /// </summary>
    private string SelectProtocol()
    {
        var candidates = CandidateProtocols(exclude: null);
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var member in _members.Values)
        {
            var choice = member.Protocols.First(p => candidates.Contains(p.Name)).Name;
            if (!votes.TryAdd(choice, 1))
            {
                votes[choice]++;
            }
            else
            {
                order.Add(choice);
            }
        }

        var best = order[0];
        foreach (var name in order)
        {
            if (votes[name] > votes[best])
            {
                best = name;
            }
        }

        return best;
    }

    /// <summary>Protocol names every member (but <paramref name="exclude"/>) supports.</summary>
    private HashSet<string> CandidateProtocols(string? exclude)
    {
        HashSet<string>? candidates = null;
        foreach (var member in _members.Values)
        {
            if (member.MemberId == exclude)
            {
                continue;
            }

            var names = member.Protocols.Select(p => p.Name);
            if (candidates is null)
            {
                candidates = new HashSet<string>(names, StringComparer.Ordinal);
            }
            else
            {
                candidates.IntersectWith(names);
            }
        }

        return candidates ?? [];
    }

    /// <summary>
    /// A member may join when the group has no members (any protocol type and at least one protocol),
    /// or when its protocol type is the group's and it shares a protocol with every other member.
    /// </summary>
    private bool SupportsProtocols(string memberId, string protocolType, IReadOnlyList<GroupProtocol> protocols)
    {
        var others = _members.Count - (_members.ContainsKey(memberId) ? 1 : 0);
        if (others == 0)
        {
            return protocolType.Length > 0 && protocols.Count > 0 && (_members.Count == 0 || protocolType == _protocolType);
        }

        if (protocolType != _protocolType)
        {
            return false;
        }

        var candidates = CandidateProtocols(exclude: memberId);
        return protocols.Any(p => candidates.Contains(p.Name));
    }

    /// <summary>
    /// The topics a consumer group's members subscribe to (OffsetDelete refuses to delete their
    /// offsets); null when unknown: another protocol type, or a subscription that does not parse.
    /// </summary>
    private HashSet<string>? ComputeSubscribedTopics()
    {
        if (_protocolType != GroupStates.ConsumerProtocolType)
        {
            return null;
        }

        var topics = new HashSet<string>(StringComparer.Ordinal);
        if (_members.Count == 0)
        {
            return topics;
        }

        try
        {
            foreach (var member in _members.Values)
            {
                var metadata = member.MetadataFor(_protocolName);
                var reader = new KafkaReader(metadata);
                var version = reader.ReadInt16();
                var subscription = new ConsumerProtocolSubscription();
                subscription.Read(ref reader, Math.Min(version, ConsumerProtocolSubscription.HighestSupportedVersion));
                topics.UnionWith(subscription.Topics);
            }
        }
        catch (ProtocolException)
        {
            return null;
        }

        return topics;
    }

    // ---- assignments ----

    private void ResetAndPropagateAssignmentError(ErrorCode error)
    {
        foreach (var member in _members.Values)
        {
            member.Assignment = [];
        }

        PropagateAssignment(error);
    }

    private void SetAndPropagateAssignment(Dictionary<string, byte[]> assignments)
    {
        foreach (var member in _members.Values)
        {
            member.Assignment = assignments.TryGetValue(member.MemberId, out var assignment) ? assignment : [];
        }

        PropagateAssignment(ErrorCode.None);
    }

    private void PropagateAssignment(ErrorCode error)
    {
        foreach (var member in _members.Values)
        {
            if (member.AwaitingSync is { } waiting)
            {
                member.AwaitingSync = null;
                waiting.TrySetResult(error == ErrorCode.None
                    ? new SyncGroupResult(ErrorCode.None, _protocolType, _protocolName, member.Assignment)
                    : SyncGroupResult.Failed(error));
            }

            ScheduleSession(member, member.SessionTimeout);
        }
    }

    // ---- storage ----

    /// <summary>Writes the group's metadata record (members and <paramref name="assignments"/>); the error is Kafka's mapping for group writes.</summary>
    private ErrorCode StoreGroup(Dictionary<string, byte[]> assignments)
    {
        var value = new GroupMetadataValue
        {
            ProtocolType = _protocolType ?? "",
            Generation = _generation,
            Protocol = _protocolName,
            Leader = _leaderId,
            CurrentStateTimestamp = _stateChanged.ToUnixTimeMilliseconds(),
            Members = _members.Values.Select(m => new GroupMetadataValue.MemberMetadata
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                ClientId = m.ClientId,
                ClientHost = m.ClientHost,
                RebalanceTimeout = (int)m.RebalanceTimeout.TotalMilliseconds,
                SessionTimeout = (int)m.SessionTimeout.TotalMilliseconds,
                Subscription = m.MetadataFor(_protocolName),
                Assignment = assignments.TryGetValue(m.MemberId, out var a) ? a : [],
            }).ToList(),
        };
        var record = new GroupRecord(GroupRecords.GroupKey(GroupId), GroupRecords.GroupValue(value));
        return MapGroupStoreError(_sink.Append([record], _time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    private static ErrorCode MapGroupStoreError(ErrorCode error) => error switch
    {
        ErrorCode.None => ErrorCode.None,
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError or ErrorCode.LeaderNotAvailable => ErrorCode.NotCoordinator,
        ErrorCode.RequestTimedOut => ErrorCode.RebalanceInProgress,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
        _ => error,
    };

    private static ErrorCode MapOffsetStoreError(ErrorCode error) => error switch
    {
        ErrorCode.None => ErrorCode.None,
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError or ErrorCode.LeaderNotAvailable => ErrorCode.NotCoordinator,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.InvalidCommitOffsetSize,
        _ => error,
    };
}

/// <summary>A topic-partition as a dictionary key.</summary>
internal readonly record struct TopicPartitionKey(string Topic, int Partition);

/// <summary>The group was closed (unloaded or deleted) before it could run a command; look it up again.</summary>
internal sealed class GroupClosedException(string groupId) : Exception($"Group {groupId} is no longer served here.");

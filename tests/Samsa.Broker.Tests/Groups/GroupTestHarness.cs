using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Tests.Groups;

/// <summary>A group on a fake clock, writing to an in-memory sink, with helpers that play clients.</summary>
internal sealed class GroupTestHarness : IAsyncDisposable
{
    public static readonly TimeSpan Session = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Rebalance = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan InitialDelay = TimeSpan.FromSeconds(3);

    public GroupTestHarness(TimeSpan? initialDelay = null, string groupId = "g", TimeSpan? retention = null)
    {
        Settings = new GroupSettings(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30), initialDelay ?? InitialDelay, int.MaxValue, 4096, retention ?? TimeSpan.FromDays(7));
        Group = new ConsumerGroup(groupId, Settings, Sink, Time, NullLogger.Instance);
    }

    public SerializedFakeClock Time { get; } = new(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    public MemorySink Sink { get; } = new();

    public GroupSettings Settings { get; }

    public ConsumerGroup Group { get; private set; }

    public static byte[] Subscription(params string[] topics)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(0);
        new ConsumerProtocolSubscription { Topics = [.. topics] }.Write(ref writer, 0);
        return buffer.WrittenSpan.ToArray();
    }

    public static JoinGroupCommand Join(
        string memberId = "",
        string? instanceId = null,
        byte[]? metadata = null,
        string protocol = "range",
        string protocolType = "consumer",
        bool requireKnownMemberId = true,
        TimeSpan? session = null) =>
        new(
            memberId,
            instanceId,
            "client",
            "/127.0.0.1",
            session ?? Session,
            Rebalance,
            protocolType,
            [new GroupProtocol(protocol, metadata ?? Subscription("t"))],
            requireKnownMemberId,
            SupportsSkipAssignment: false,
            Reason: null);

    /// <summary>Joins as a new member the v4+ way: MEMBER_ID_REQUIRED, then again with the id. Returns the pending second join.</summary>
    public async Task<Task<JoinGroupResult>> StartJoinAsync(string? instanceId = null, byte[]? metadata = null)
    {
        Task<JoinGroupResult> joining;
        if (instanceId is not null)
        {
            joining = Group.JoinAsync(Join(instanceId: instanceId, metadata: metadata));
        }
        else
        {
            var first = await Group.JoinAsync(Join(metadata: metadata));
            Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
            joining = Group.JoinAsync(Join(first.MemberId, metadata: metadata));
        }

        // The join has reached the group (its timers start now, not at the next clock move).
        await DrainAsync();
        return joining;
    }

    /// <summary>Waits until every command queued so far (and any timer posted before) has run.</summary>
    public Task DrainAsync() => Group.DescribeAsync();

    /// <summary>Moves the clock on once the group is idle, then waits until the group has handled the timers that fired.</summary>
    public async Task<GroupDescription> AdvanceAsync(TimeSpan by)
    {
        await DrainAsync();
        Time.Advance(by);
        return await Group.DescribeAsync();
    }

    /// <summary>Forms a Stable group of <paramref name="count"/> members: joins, leader assigns "member:i", everyone syncs.</summary>
    public async Task<List<JoinGroupResult>> FormStableGroupAsync(int count)
    {
        var joins = new List<Task<JoinGroupResult>>();
        for (var i = 0; i < count; i++)
        {
            joins.Add(await StartJoinAsync());
        }

        var results = (await AwaitJoinsAsync([.. joins])).ToList();
        await SyncAllAsync(results);
        return results;
    }

    /// <summary>Moves the clock on in initial-delay steps until every join is answered.</summary>
    public async Task<JoinGroupResult[]> AwaitJoinsAsync(params Task<JoinGroupResult>[] joins)
    {
        for (var step = 0; step < 20 && !joins.All(j => j.IsCompleted); step++)
        {
            await DrainAsync();
            if (joins.All(j => j.IsCompleted))
            {
                break;
            }

            Time.Advance(Settings.InitialRebalanceDelay > TimeSpan.Zero ? Settings.InitialRebalanceDelay : TimeSpan.FromMilliseconds(1));
        }

        return await Task.WhenAll(joins).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task<List<SyncGroupResult>> SyncAllAsync(IReadOnlyList<JoinGroupResult> joins)
    {
        var leader = joins.Single(j => j.MemberId == j.LeaderId);
        var assignments = leader.Members.ToDictionary(m => m.MemberId, m => System.Text.Encoding.UTF8.GetBytes("assigned:" + m.MemberId));
        var syncs = joins
            .Where(j => j != leader)
            .Select(j => Group.SyncAsync(new SyncGroupCommand(j.GenerationId, j.MemberId, null, null, null, new Dictionary<string, byte[]>())))
            .ToList();
        syncs.Add(Group.SyncAsync(new SyncGroupCommand(leader.GenerationId, leader.MemberId, null, null, null, assignments)));
        return (await Task.WhenAll(syncs).WaitAsync(TimeSpan.FromSeconds(10))).ToList();
    }

    /// <summary>Rebuilds the group from what the sink holds, as a replay of __consumer_offsets would.</summary>
    public async Task RestoreFromSinkAsync()
    {
        await Group.CloseAsync();
        var replayed = Sink.Replay();
        replayed.TryGetValue(Group.GroupId, out var state);
        Group = ConsumerGroup.Restore(
            Group.GroupId,
            state?.Metadata,
            state?.Offsets ?? new Dictionary<TopicPartitionKey, CommittedOffset>(),
            Settings,
            Sink,
            Time,
            NullLogger.Instance);
        await DrainAsync();
    }

    public async ValueTask DisposeAsync() => await Group.CloseAsync();
}

/// <summary>Keeps appended records in memory; can be told to fail.</summary>
internal sealed class MemorySink : IGroupRecordSink
{
    private readonly List<GroupRecord> _records = [];

    public ErrorCode FailWith { get; set; } = ErrorCode.None;

    public IReadOnlyList<GroupRecord> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToList();
            }
        }
    }

    public ErrorCode Append(IReadOnlyList<GroupRecord> records, long timestamp)
    {
        if (FailWith != ErrorCode.None)
        {
            return FailWith;
        }

        lock (_records)
        {
            _records.AddRange(records);
        }

        return ErrorCode.None;
    }

    /// <summary>Folds the records as the log replay does: last write wins, tombstones delete.</summary>
    public Dictionary<string, ReplayedGroup> Replay()
    {
        var groups = new Dictionary<string, ReplayedGroup>();
        foreach (var record in Records)
        {
            var key = GroupRecords.ReadKey(record.Key);
            if (!groups.TryGetValue(key.Group, out var group))
            {
                groups[key.Group] = group = new ReplayedGroup();
            }

            if (key.Kind == GroupRecordKind.Offset)
            {
                var tp = new TopicPartitionKey(key.Topic, key.Partition);
                if (record.Value is null)
                {
                    group.Offsets.Remove(tp);
                }
                else
                {
                    group.Offsets[tp] = GroupRecords.ReadOffsetValue(record.Value);
                }
            }
            else
            {
                group.Metadata = record.Value is null ? null : GroupRecords.ReadGroupValue(record.Value);
            }
        }

        return groups;
    }
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> for code that creates timers on its own thread. FakeTimeProvider
/// lists a new timer before it sets its due time, so a timer created while another thread is inside
/// Advance can fire at once (and move the clock back). The group's loop creates timers when it runs
/// the work that fired timers post, so this clock holds the callbacks Advance fires until Advance has
/// returned, and only then runs them: the loop never works while the clock moves.
/// </summary>
internal sealed class SerializedFakeClock(FakeTimeProvider fake) : TimeProvider
{
    [ThreadStatic]
    private static List<Action>? t_held;

    public FakeTimeProvider Fake => fake;

    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

    public override long GetTimestamp() => fake.GetTimestamp();

    public override long TimestampFrequency => fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        fake.CreateTimer(
            s =>
            {
                if (t_held is { } held)
                {
                    held.Add(() => callback(s));
                }
                else
                {
                    callback(s);
                }
            },
            state,
            dueTime,
            period);

    public void Advance(TimeSpan by)
    {
        var held = t_held = [];
        try
        {
            fake.Advance(by);
        }
        finally
        {
            t_held = null;
        }

        foreach (var callback in held)
        {
            callback();
        }
    }
}

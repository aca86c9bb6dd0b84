using Samsa.Broker.Storage;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Replication;

/// <summary>
/// One topic-partition across its replicas: leadership, in-sync replicas, the high watermark and
/// each replica's log. It is the single owner of its state: every change takes its lock, so appends
/// are serialized (one appender) and leadership changes never interleave with an append. Followers
/// are replicated synchronously inside the append, so every in-sync replica holds every
/// acknowledged record and a stopped leader can be replaced without losing any.
/// </summary>
internal sealed class Partition
{
    private readonly object _lock = new();
    private readonly Func<int, PartitionLog> _openLog;
    private readonly Action<int> _closeLog;
    private readonly Func<int, bool> _isNodeAlive;
    private readonly PartitionLog?[] _logs;
    private readonly List<(int Epoch, long StartOffset)> _epochs;
    private ProducerStateTable _producers = new();
    private volatile PartitionTransactionIndex _transactions = new();
    private volatile PartitionLeadership _leadership;
    private volatile LogConfig _config;
    private long _highWatermark;

    // 1 while Housekeeping runs (its compaction passes run outside _lock), so timer ticks that overlap skip this partition.
    private int _housekeepingRunning;
    private TaskCompletionSource _dataArrived = NewSignal();

    public Partition(
        string topic,
        Guid topicId,
        int index,
        int[] replicas,
        int nodeCount,
        int leaderEpoch,
        IReadOnlyList<(int Epoch, long StartOffset)> epochHistory,
        LogConfig config,
        Func<int, PartitionLog> openLog,
        Action<int> closeLog,
        Func<int, bool> isNodeAlive)
    {
        Topic = topic;
        TopicId = topicId;
        Index = index;
        _config = config;
        _openLog = openLog;
        _closeLog = closeLog;
        _isNodeAlive = isNodeAlive;
        _logs = new PartitionLog?[nodeCount];
        _epochs = [.. epochHistory];
        foreach (var replica in replicas)
        {
            if (isNodeAlive(replica))
            {
                _logs[replica] = openLog(replica);
            }
        }

        var isr = replicas.Where(isNodeAlive).ToArray();
        var leader = isr.Length > 0 ? isr[0] : -1;
        _leadership = new PartitionLeadership(leader, leaderEpoch, replicas, isr.Length > 0 ? isr : replicas.Take(1).ToArray());
        if (leader >= 0)
        {
            SyncReplicasToLeader(leader);
            _highWatermark = _logs[leader]!.LogEndOffset;
            (_transactions, _producers) = PartitionStateRebuild.Rebuild(_logs[leader]!);
            if (_epochs.Count == 0 || _epochs[^1].Epoch < leaderEpoch)
            {
                _epochs.Add((leaderEpoch, _highWatermark));
            }
        }
    }

    /// <summary>The topic's name.</summary>
    public string Topic { get; }

    /// <summary>The topic's id: a topic deleted and created again under the same name has a new one.</summary>
    public Guid TopicId { get; }

    public int Index { get; }

    public PartitionLeadership Leadership => _leadership;

    public long HighWatermark => Interlocked.Read(ref _highWatermark);

    /// <summary>
    /// The last stable offset: below it every transaction has its outcome (read_committed reads up
    /// to here). The first offset of the oldest open transaction, or the high watermark when none is open.
    /// </summary>
    public long LastStableOffset
    {
        get
        {
            var highWatermark = HighWatermark;
            return Math.Min(highWatermark, _transactions.FirstUnstableOffset);
        }
    }

    /// <summary>Open and aborted transactions of this partition (read_committed fetches ask it for aborted ones).</summary>
    public PartitionTransactionIndex Transactions => _transactions;

    /// <summary>Completes when records are next appended (fetch long polls wait on it).</summary>
    public Task DataArrived => Volatile.Read(ref _dataArrived).Task;

    public IReadOnlyList<(int Epoch, long StartOffset)> EpochHistory
    {
        get
        {
            lock (_lock)
            {
                return _epochs.ToArray();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PartitionLog? LeaderLog(PartitionLeadership leadership) =>
        leadership.LeaderId >= 0 ? Volatile.Read(ref _logs[leadership.LeaderId]) : null;

    /// <summary>Log start offset of the leader's log, or -1 when the partition is offline.</summary>
    public long LogStartOffset => LeaderLog(_leadership)?.LogStartOffset ?? -1;

    public long LogEndOffset => LeaderLog(_leadership)?.LogEndOffset ?? -1;

    /// <summary>
    /// Appends validated batches on <paramref name="nodeId"/>, which must lead this partition, and on
    /// every in-sync follower. With acks=all, fewer in-sync replicas than min.insync.replicas is
    /// NOT_ENOUGH_REPLICAS and nothing is written. Batches from a coordinator (transaction markers,
    /// transactional offset commits) skip the producer sequence checks, as in Kafka.
    /// </summary>
    public AppendOutcome Append(int nodeId, Span<byte> batches, short acks, AppendOrigin origin = AppendOrigin.Client)
    {
        lock (_lock)
        {
            var leadership = _leadership;
            if (leadership.LeaderId != nodeId)
            {
                return AppendOutcome.Failed(leadership.LeaderId < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.NotLeaderOrFollower);
            }

            if (acks == -1 && leadership.Isr.Length < _config.MinInsyncReplicas)
            {
                return AppendOutcome.Failed(ErrorCode.NotEnoughReplicas);
            }

            // Produce v3+ carries one batch per partition, so an idempotent request is one batch.
            RecordBatchHeader.TryRead(batches, out var header);
            var idempotent = header.ProducerId >= 0 && origin == AppendOrigin.Client;
            if (idempotent)
            {
                var lastSequence = header.BaseSequence + header.LastOffsetDelta;
                var check = _producers.Check(header.ProducerId, header.ProducerEpoch, header.BaseSequence, lastSequence);
                if (check.Error != ErrorCode.None)
                {
                    return new AppendOutcome(check.Error, -1, -1, check.Message);
                }

                if (check.DuplicateOffset is { } original)
                {
                    return new AppendOutcome(ErrorCode.None, original, _logs[nodeId]!.LogStartOffset, null);
                }
            }

            StampLeaderEpoch(batches, leadership.LeaderEpoch);
            var leaderLog = _logs[nodeId]!;
            var appended = leaderLog.Append(batches);
            var (first, last) = (appended.FirstOffset, appended.LastOffset);
            foreach (var follower in leadership.Isr)
            {
                if (follower != nodeId)
                {
                    _logs[follower]!.Append(batches);
                }
            }

            if (idempotent)
            {
                _producers.Record(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.BaseSequence + header.LastOffsetDelta, first, last);
            }

            // Before the high watermark moves, so the last stable offset never runs ahead of an open transaction.
            _transactions.Apply(batches, first);
            Interlocked.Exchange(ref _highWatermark, leaderLog.LogEndOffset);
            Interlocked.Exchange(ref _dataArrived, NewSignal()).TrySetResult();
            return new AppendOutcome(ErrorCode.None, first, leaderLog.LogStartOffset, null);
        }
    }

    private static void StampLeaderEpoch(Span<byte> batches, int epoch)
    {
        var position = 0;
        while (position < batches.Length)
        {
            var batch = batches[position..];
            RecordBatchHeader.TryRead(batch, out var header);
            RecordBatchHeader.WritePartitionLeaderEpoch(batch, epoch);
            position += header.TotalSize;
        }
    }

    /// <summary>Whole batches from <paramref name="offset"/> below the high watermark, read on the leader <paramref name="nodeId"/>.</summary>
    public ReadOutcome Read(int nodeId, long offset, int maxBytes) => Read(nodeId, offset, maxBytes, readCommitted: false);

    /// <summary>
    /// Whole batches from <paramref name="offset"/>, read on the leader <paramref name="nodeId"/>: below the
    /// high watermark, or with <paramref name="readCommitted"/> below the last stable offset.
    /// </summary>
    public ReadOutcome Read(int nodeId, long offset, int maxBytes, bool readCommitted)
    {
        var leadership = _leadership;
        if (leadership.LeaderId != nodeId)
        {
            return ReadOutcome.Failed(leadership.LeaderId < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.NotLeaderOrFollower, this);
        }

        var log = LeaderLog(leadership);
        if (log is null)
        {
            return ReadOutcome.Failed(ErrorCode.NotLeaderOrFollower, this);
        }

        try
        {
            var highWatermark = HighWatermark;
            var lastStable = Math.Min(highWatermark, _transactions.FirstUnstableOffset);
            var limit = readCommitted ? lastStable : highWatermark;
            var logStart = log.LogStartOffset;
            if (offset < logStart || offset > log.LogEndOffset)
            {
                return new ReadOutcome(ErrorCode.OffsetOutOfRange, LogReadResult.Empty, highWatermark, logStart) { LastStableOffset = lastStable };
            }

            if (offset >= limit)
            {
                return new ReadOutcome(ErrorCode.None, LogReadResult.Empty, highWatermark, logStart) { LastStableOffset = lastStable };
            }

            return new ReadOutcome(ErrorCode.None, log.Read(offset, maxBytes, limit), highWatermark, logStart) { LastStableOffset = lastStable };
        }
        catch (ObjectDisposedException)
        {
            // The node stopped while we read: the client looks up the new leader.
            return ReadOutcome.Failed(ErrorCode.NotLeaderOrFollower, this);
        }
    }

    /// <summary>
    /// The end offset of <paramref name="requestedEpoch"/>: the start of the next higher epoch, or the
    /// log end offset for the current epoch (OffsetForLeaderEpoch).
    /// </summary>
    public (ErrorCode Error, int Epoch, long EndOffset) EndOffsetForEpoch(int nodeId, int requestedEpoch)
    {
        lock (_lock)
        {
            var leadership = _leadership;
            if (leadership.LeaderId != nodeId)
            {
                return (ErrorCode.NotLeaderOrFollower, -1, -1);
            }

            var logEnd = _logs[nodeId]!.LogEndOffset;
            if (requestedEpoch < 0)
            {
                return (ErrorCode.None, -1, -1);
            }

            if (requestedEpoch == leadership.LeaderEpoch || (_epochs.Count > 0 && requestedEpoch == _epochs[^1].Epoch))
            {
                return (ErrorCode.None, requestedEpoch, logEnd);
            }

            var higher = _epochs.FindIndex(e => e.Epoch > requestedEpoch);
            if (higher < 0)
            {
                return (ErrorCode.None, -1, -1);
            }

            var floor = _epochs.FindLastIndex(e => e.Epoch <= requestedEpoch);
            return floor < 0
                ? (ErrorCode.None, requestedEpoch, _epochs[higher].StartOffset)
                : (ErrorCode.None, _epochs[floor].Epoch, _epochs[higher].StartOffset);
        }
    }

    /// <summary>Moves the log start offset of every replica (DeleteRecords). -1 means the high watermark.</summary>
    public (ErrorCode Error, long LowWatermark) DeleteRecordsBefore(int nodeId, long offset)
    {
        lock (_lock)
        {
            var leadership = _leadership;
            if (leadership.LeaderId != nodeId)
            {
                return (ErrorCode.NotLeaderOrFollower, -1);
            }

            var highWatermark = HighWatermark;
            var target = offset == -1 ? highWatermark : offset;
            var leaderLog = _logs[nodeId]!;
            if (target < 0 || target > highWatermark)
            {
                return (ErrorCode.OffsetOutOfRange, leaderLog.LogStartOffset);
            }

            if (target > leaderLog.LogStartOffset)
            {
                foreach (var log in _logs)
                {
                    log?.DeleteRecordsBefore(target);
                }
            }

            return (ErrorCode.None, leaderLog.LogStartOffset);
        }
    }

    /// <summary>Runs <paramref name="query"/> on the leader's log (ListOffsets); NOT_LEADER_OR_FOLLOWER otherwise.</summary>
    public (ErrorCode Error, T Value) QueryLeaderLog<T>(int nodeId, Func<PartitionLog, long, T> query)
    {
        var leadership = _leadership;
        var log = leadership.LeaderId == nodeId ? LeaderLog(leadership) : null;
        if (log is null)
        {
            return (leadership.LeaderId < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.NotLeaderOrFollower, default!);
        }

        try
        {
            return (ErrorCode.None, query(log, HighWatermark));
        }
        catch (ObjectDisposedException)
        {
            return (ErrorCode.NotLeaderOrFollower, default!);
        }
    }

    /// <summary>A replica's node stopped: it leaves the ISR; if it led, the first live in-sync replica takes over with a new epoch.</summary>
    public (int OldLeader, int NewLeader)? OnNodeStopped(int nodeId, bool closeLog)
    {
        lock (_lock)
        {
            var leadership = _leadership;
            if (!leadership.Replicas.Contains(nodeId))
            {
                return null;
            }

            var remaining = leadership.Isr.Where(r => r != nodeId).ToArray();
            (int, int)? moved = null;
            if (remaining.Length == 0)
            {
                // The last in-sync replica keeps its place so it can lead again when it returns.
                if (leadership.LeaderId == nodeId)
                {
                    _leadership = leadership with { LeaderId = -1 };
                    moved = (nodeId, -1);
                }
            }
            else if (leadership.LeaderId == nodeId)
            {
                var newLeader = remaining[0];
                var epoch = leadership.LeaderEpoch + 1;
                _epochs.Add((epoch, _logs[newLeader]!.LogEndOffset));
                _leadership = new PartitionLeadership(newLeader, epoch, leadership.Replicas, remaining);
                moved = (nodeId, newLeader);
            }
            else
            {
                _leadership = leadership with { Isr = remaining };
            }

            if (closeLog)
            {
                var log = _logs[nodeId];
                Volatile.Write(ref _logs[nodeId], null);
                if (log is not null)
                {
                    log.Flush();
                    _closeLog(nodeId);
                }
            }

            Interlocked.Exchange(ref _dataArrived, NewSignal()).TrySetResult();
            return moved;
        }
    }

    /// <summary>A replica's node started: its log catches up with the leader and it rejoins the ISR; an offline partition it led comes back.</summary>
    public (int OldLeader, int NewLeader)? OnNodeStarted(int nodeId)
    {
        lock (_lock)
        {
            var leadership = _leadership;
            if (!leadership.Replicas.Contains(nodeId))
            {
                return null;
            }

            _logs[nodeId] ??= _openLog(nodeId);
            if (leadership.LeaderId < 0)
            {
                if (!leadership.Isr.Contains(nodeId))
                {
                    return null;
                }

                var epoch = leadership.LeaderEpoch + 1;
                _epochs.Add((epoch, _logs[nodeId]!.LogEndOffset));
                _leadership = new PartitionLeadership(nodeId, epoch, leadership.Replicas, [nodeId]);
                // The log was closed and reopened (recovery may have cut its tail): rebuild from what it holds.
                (_transactions, _producers) = PartitionStateRebuild.Rebuild(_logs[nodeId]!);
                Interlocked.Exchange(ref _highWatermark, _logs[nodeId]!.LogEndOffset);
                Interlocked.Exchange(ref _dataArrived, NewSignal()).TrySetResult();
                return (-1, nodeId);
            }

            CatchUp(nodeId, leadership.LeaderId);
            if (!leadership.Isr.Contains(nodeId))
            {
                _leadership = leadership with { Isr = [.. leadership.Isr, nodeId] };
            }

            return null;
        }
    }

    /// <summary>Brings every live follower's log to the leader's (used at open).</summary>
    private void SyncReplicasToLeader(int leaderId)
    {
        foreach (var replica in _leadership.Replicas)
        {
            if (replica != leaderId && _logs[replica] is not null)
            {
                CatchUp(replica, leaderId);
            }
        }
    }

    /// <summary>Copies what the follower misses from the leader; a follower ahead of the leader (an unflushed tail the leader lost) is cut back first.</summary>
    private void CatchUp(int followerId, int leaderId)
    {
        var leader = _logs[leaderId]!;
        var follower = _logs[followerId]!;
        if (follower.LogEndOffset > leader.LogEndOffset)
        {
            follower.Truncate(leader.LogEndOffset);
        }

        if (follower.LogEndOffset < leader.LogStartOffset)
        {
            follower.Truncate(follower.LogStartOffset);
            follower.DeleteRecordsBefore(leader.LogStartOffset);
        }

        var next = Math.Max(follower.LogEndOffset, leader.LogStartOffset);
        while (next < leader.LogEndOffset)
        {
            using var read = leader.Read(next, 1 << 20, leader.LogEndOffset);
            if (read.Records.IsEmpty)
            {
                break;
            }

            follower.AppendWithOffsets(read.Records.Span);
            next = follower.LogEndOffset;
        }

        if (leader.LogStartOffset > follower.LogStartOffset)
        {
            follower.DeleteRecordsBefore(leader.LogStartOffset);
        }
    }

    /// <summary>The settings this partition and its replica logs follow (its topic's configs).</summary>
    public LogConfig Config => _config;

    /// <summary>Applies changed topic configs to the partition and every open replica log.</summary>
    public void Configure(LogConfig config)
    {
        lock (_lock)
        {
            _config = config;
            foreach (var log in _logs)
            {
                log?.Config = config;
            }
        }
    }

    /// <summary>
    /// Runs retention, compaction and the flush policy on every replica log. Compaction stops at
    /// the last stable offset: below it every transaction has its outcome, so aborted records can
    /// be told apart.
    /// </summary>
    /// <remarks>
    /// Retention and the flush run under the partition's lock. Compaction does not: for each
    /// compacted replica log in turn, the log's cleaner gate is taken under the lock
    /// (<see cref="PartitionLog.TryStartCompaction"/>) and the last stable offset and a copy of the
    /// aborted transactions below it are fixed; the pass then runs after the lock is released, so
    /// appends go on meanwhile. Holding the gate keeps truncation, DeleteRecords and the close of
    /// that log out until the pass ends (they wait for it, under this lock), so the offset limit and
    /// the copy stay true for what the pass reads. The heartbeat timer may fire again while a long
    /// pass runs: a call that finds another one of this partition running returns at once.
    /// </remarks>
    public void Housekeeping()
    {
        if (Interlocked.CompareExchange(ref _housekeepingRunning, 1, 0) != 0)
        {
            return;
        }

        try
        {
            lock (_lock)
            {
                var highWatermark = HighWatermark;
                foreach (var log in _logs)
                {
                    log?.EnforceRetention(highWatermark);
                    log?.FlushIfDue();
                }

                if (LeaderLog(_leadership) is { } leaderLog)
                {
                    _transactions.RemoveBefore(leaderLog.LogStartOffset);
                }
            }

            for (var replica = 0; replica < _logs.Length; replica++)
            {
                CompactReplicaLog(replica);
            }
        }
        finally
        {
            Volatile.Write(ref _housekeepingRunning, 0);
        }
    }

    /// <summary>One compaction pass on a replica's log, if one may start: prepared under the lock, run outside it.</summary>
    private void CompactReplicaLog(int replica)
    {
        PartitionLog.CompactionPass? pass;
        long lastStable;
        AbortedTransactionSnapshot aborted;
        lock (_lock)
        {
            pass = _logs[replica]?.TryStartCompaction();
            if (pass is null)
            {
                return;
            }

            lastStable = Math.Min(HighWatermark, _transactions.FirstUnstableOffset);
            aborted = _transactions.AbortedBefore(lastStable);
        }

        using (pass)
        {
            pass.Run(lastStable, aborted.IsAborted);
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            foreach (var log in _logs)
            {
                log?.Flush();
            }
        }
    }

    /// <summary>Closes every replica log (shutdown or topic deletion).</summary>
    public void Close()
    {
        lock (_lock)
        {
            for (var i = 0; i < _logs.Length; i++)
            {
                var log = _logs[i];
                _logs[i] = null;
                if (log is not null)
                {
                    log.Flush();
                    _closeLog(i);
                }
            }

            _leadership = _leadership with { LeaderId = -1 };
            Interlocked.Exchange(ref _dataArrived, NewSignal()).TrySetResult();
        }
    }

    /// <summary>Offline replicas: assigned but on stopped nodes.</summary>
    public int[] OfflineReplicas() => _leadership.Replicas.Where(r => !_isNodeAlive(r)).ToArray();
}

/// <summary>Who leads a partition, at which epoch, and which replicas are in sync. Immutable.</summary>
internal sealed record PartitionLeadership(int LeaderId, int LeaderEpoch, int[] Replicas, int[] Isr);

/// <summary>The result of an append: the first offset assigned, or an error.</summary>
internal readonly record struct AppendOutcome(ErrorCode Error, long BaseOffset, long LogStartOffset, string? Message)
{
    public static AppendOutcome Failed(ErrorCode error) => new(error, -1, -1, null);
}

/// <summary>The result of a read, with the offsets a fetch response reports.</summary>
internal sealed record ReadOutcome(ErrorCode Error, LogReadResult Data, long HighWatermark, long LogStartOffset)
{
    /// <summary>The last stable offset when the read was made; -1 when the read failed.</summary>
    public long LastStableOffset { get; init; } = -1;

    public static ReadOutcome Failed(ErrorCode error, Partition partition) => new(error, LogReadResult.Empty, -1, -1);
}

/// <summary>Who appends: a producing client (sequence checks apply) or a coordinator of this broker (markers, transactional offset commits).</summary>
internal enum AppendOrigin
{
    Client,
    Coordinator,
}

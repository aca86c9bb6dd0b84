using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Chaos.Tests.Support;

namespace Samsa.Chaos.Tests;

/// <summary>
/// Scenario 5: a bounded soak. A 3-node broker in a process of its own (tests/Samsa.Chaos.Broker, disk storage) takes a
/// steady idempotent acks=all produce load on a 6-partition, replication-3 topic, consumed by one group whose membership
/// changes every rebalance period (a member joins, then a member leaves), while a node is stopped and started again every
/// node period. The broker process's resident memory, open handles and threads are sampled throughout and a
/// least-squares line is fitted to the samples after the warm-up. Afterwards every acknowledged record was consumed at
/// least once; after every fault the group's committed offsets moved on (bounded wait); long mode: resident memory grew
/// less than 2 MiB a minute; both modes: handles and threads stayed within the warm-up's highest plus a margin.
/// Short mode: 24 s; long mode: 10 minutes, rebalances every minute, a node restart every two.
/// </summary>
public sealed class SoakTests : IDisposable
{
    private const string Topic = "soak";
    private const string Group = "soak-group";
    private const int Nodes = 3;
    private const int Partitions = 6;
    private const int Keys = 64;
    private const int BaseMembers = 2;
    private const int RecordsPerSecond = 400;
    private const double WarmUpShare = 0.2;
    private const double RssSlopeBoundMiBPerMinute = 2.0;
    private const int HandleMargin = 32;
    private const int ThreadMargin = 16;

    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan MemberCloseTimeout = TimeSpan.FromSeconds(30);
    private static readonly string Padding = new('x', 100);

    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-chaos-soak-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    [Fact]
    public async Task Soak_RebalancesAndNodeRestarts_BrokerResourcesFlatAndEveryAcknowledgedRecordConsumed()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The soak reads the broker process's resources from /proc.");
        var cancellationToken = TestContext.Current.CancellationToken;
        var plan = ChaosMode.IsLong
            ? new SoakPlan(TimeSpan.FromMinutes(10), Rebalance: TimeSpan.FromSeconds(60), Node: TimeSpan.FromSeconds(120), Sample: TimeSpan.FromSeconds(5))
            : new SoakPlan(TimeSpan.FromSeconds(24), Rebalance: TimeSpan.FromSeconds(4), Node: TimeSpan.FromSeconds(8), Sample: TimeSpan.FromSeconds(1));
        var random = new Random(ChaosMode.Seed);
        var state = new SoakState();
        var totalClock = Stopwatch.StartNew();

        using var broker = await NodeControlledBroker.StartAsync(_dataDirectory.FullName, Nodes, BrokerProcess.FreePortRange(Nodes), cancellationToken);
        var bootstrap = broker.BootstrapServers;
        await CreateTopicAsync(bootstrap);

        using var observer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = Group, EnableAutoCommit = false }).Build();
        var members = new List<SoakMember>();
        var nextMember = 0;
        using var stopProducing = new CancellationTokenSource();
        using var stopSampling = new CancellationTokenSource();
        Task? producing = null;
        Task<List<ResourceSample>>? sampling = null;
        var events = new List<string>();
        var slowestProgress = TimeSpan.Zero;
        long heapBefore = 0, heapAfter = 0;
        var samples = new List<ResourceSample>();
        try
        {
            producing = Task.Factory.StartNew(() => Produce(bootstrap, state, stopProducing.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            for (var i = 0; i < BaseMembers; i++)
            {
                members.Add(new SoakMember(nextMember++, bootstrap, state));
            }

            // The clock starts once the group has formed and committed (Kafka's 3 s initial rebalance delay is behind it).
            var formed = Stopwatch.StartNew();
            if (await WaitForProgressAsync(observer, 0, state, cancellationToken) is null)
            {
                state.Violation($"the group committed nothing within {ProgressTimeout} of its members starting");
            }

            events.Add($"group formed in {formed.Elapsed.TotalSeconds:F1} s");

            // The managed heap that survives a full collection, before the soak and after it (not during: a forced
            // collection would move the resident memory the fit measures).
            heapBefore = await broker.ManagedHeapAfterFullCollectionAsync(cancellationToken);
            var clock = Stopwatch.StartNew();
            sampling = SampleAsync(broker.ProcessId, plan.Sample, clock, () => !state.NodeDown, stopSampling.Token);
            foreach (var fault in plan.Schedule())
            {
                var wait = fault.At - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    // The schedule: the next fault is due then (no progress is being waited for here).
                    await Task.Delay(wait, cancellationToken);
                }

                var at = clock.Elapsed;
                string what;
                switch (fault.Kind)
                {
                    case FaultKind.Join:
                        members.Add(new SoakMember(nextMember++, bootstrap, state));
                        what = $"member {nextMember - 1} joined ({members.Count} members)";
                        break;
                    case FaultKind.Leave:
                        var leaving = members[random.Next(members.Count)];
                        members.Remove(leaving);
                        if (!leaving.Stop(MemberCloseTimeout))
                        {
                            state.Violation($"member {leaving.Id} did not close within {MemberCloseTimeout}");
                        }

                        what = $"member {leaving.Id} left ({members.Count} members)";
                        break;
                    case FaultKind.StopNode:
                        state.StoppedNode = random.Next(Nodes);
                        state.NodeDown = true;
                        await broker.StopNodeAsync(state.StoppedNode, cancellationToken);
                        what = $"node {state.StoppedNode} stopped";
                        break;
                    default:
                        await broker.StartNodeAsync(state.StoppedNode, cancellationToken);
                        state.NodeDown = false;
                        what = $"node {state.StoppedNode} started";
                        break;
                }

                // Progress after the fault: beyond what is committed once it has happened.
                state.Faults[fault.Kind]++;
                var before = Committed(observer, state) ?? state.LastCommitted;
                var progress = await WaitForProgressAsync(observer, before, state, cancellationToken);
                events.Add($"{at.TotalSeconds:F0} s {what}: " + (progress is { } took ? $"committed offsets moved on {took.TotalSeconds:F1} s later" : "NO PROGRESS"));
                slowestProgress = progress is { } p && p > slowestProgress ? p : slowestProgress;
                if (progress is null)
                {
                    state.Violation($"no committed progress within {ProgressTimeout} after {what} at {at.TotalSeconds:F0} s (committed {before})");
                }
            }

            var end = plan.Duration - clock.Elapsed;
            if (end > TimeSpan.Zero)
            {
                await Task.Delay(end, cancellationToken);
            }

            await stopSampling.CancelAsync();
            samples = await sampling;
            heapAfter = await broker.ManagedHeapAfterFullCollectionAsync(cancellationToken);
            await stopProducing.CancelAsync();
            await producing;

            // Everything acknowledged is consumed and committed (bounded).
            var drain = Stopwatch.StartNew();
            long missing;
            while ((missing = state.MissingCount()) > 0 || Lag(observer) is not 0)
            {
                if (drain.Elapsed > DrainTimeout)
                {
                    state.Violation($"after {DrainTimeout}: {missing} acknowledged record(s) not consumed (first {string.Join(", ", state.Missing().Take(10))}), lag {Lag(observer)?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}");
                    break;
                }

                await Task.Delay(250, cancellationToken);
            }

            events.Add($"drained in {drain.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            await stopSampling.CancelAsync();
            await stopProducing.CancelAsync();
            foreach (var member in members)
            {
                if (!member.Stop(MemberCloseTimeout))
                {
                    state.Violation($"member {member.Id} did not close within {MemberCloseTimeout}");
                }
            }

            if (producing is not null)
            {
                await producing;
            }
        }

        // The fit: samples after the warm-up.
        var warmUpEnd = plan.Duration.TotalSeconds * WarmUpShare;
        var warmUp = samples.Where(s => s.Seconds < warmUpEnd).ToList();
        var steady = samples.Where(s => s.Seconds >= warmUpEnd).ToList();
        var rssSlope = ResourceTrend.SlopePerMinute(steady, s => s.RssKiB / 1024.0);
        var anonSlope = ResourceTrend.SlopePerMinute(steady, s => s.RssAnonKiB / 1024.0);

        // A stopped node has closed its replicas' log files (about a quarter of the handles): handles are fitted over the samples taken with all nodes running.
        var wholeSteady = steady.Where(s => s.Whole).ToList();
        var handleSlope = ResourceTrend.SlopePerMinute(wholeSteady, s => s.Handles);
        var threadSlope = ResourceTrend.SlopePerMinute(steady, s => s.Threads);
        if (warmUp.Count == 0 || steady.Count < 2)
        {
            state.Violation($"too few samples: {warmUp.Count} in the warm-up, {steady.Count} after");
        }
        else
        {
            CheckBounded("handles", warmUp.Max(s => s.Handles), steady.Max(s => s.Handles), HandleMargin, state);
            CheckBounded("threads", warmUp.Max(s => s.Threads), steady.Max(s => s.Threads), ThreadMargin, state);
            if (ChaosMode.IsLong && rssSlope >= RssSlopeBoundMiBPerMinute)
            {
                state.Violation($"resident memory grew {rssSlope:F2} MiB/min after the warm-up (bound {RssSlopeBoundMiBPerMinute} MiB/min)");
            }
        }

        var acknowledged = state.AcknowledgedCount;
        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{plan.Duration.TotalSeconds:F0} s soak, seed {ChaosMode.Seed}: {state.Faults[FaultKind.Join] + state.Faults[FaultKind.Leave]} rebalances, " +
            $"{state.Faults[FaultKind.StartNode]} node restarts, committed progress after each within {slowestProgress.TotalSeconds:F1} s; {acknowledged} acknowledged, {state.ConsumedDistinct} consumed ({state.Deliveries - state.ConsumedDistinct} again), " +
            $"{state.DeliveryFailures} failed deliveries; broker after {warmUpEnd:F0} s warm-up ({steady.Count} samples): RSS {Describe(samples, s => s.RssKiB / 1024.0)} MiB, " +
            $"slope {rssSlope:F2} MiB/min (anon {anonSlope:F2}), handles {Describe(samples, s => s.Handles)} slope {handleSlope:F1}/min (the {wholeSteady.Count} with all nodes up), " +
            $"threads {Describe(samples, s => s.Threads)} slope {threadSlope:F1}/min; managed heap after a full GC {heapBefore / 1048576.0:F1}->{heapAfter / 1048576.0:F1} MiB; {totalClock.Elapsed.TotalSeconds:F0} s in all, load average {LoadAverage()}");
        var detail = summary + "\n" + string.Join('\n', events) + "\n" + state.DescribeErrors() + "\nsamples (s, RSS KiB, anon KiB, handles, threads, all nodes up):\n" +
            string.Join('\n', samples.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Seconds:F0} {s.RssKiB} {s.RssAnonKiB} {s.Handles} {s.Threads} {(s.Whole ? "yes" : "no")}")));
        TestContext.Current.TestOutputHelper?.WriteLine(detail);
        Assert.True(state.Violations.IsEmpty, detail + "\nviolations:\n" + string.Join('\n', state.Violations.Take(50)) + "\nbroker output (end):\n" + Tail(broker.Output, 6000));
    }

    /// <summary>
    /// Handles or threads after the warm-up stay under the warm-up's highest plus <paramref name="margin"/> (room for a
    /// member's connections arriving at a different moment, thread-pool swings), so a steady leak shows within minutes.
    /// </summary>
    private static void CheckBounded(string what, int warmUpMax, int steadyMax, int margin, SoakState state)
    {
        if (steadyMax > warmUpMax + margin)
        {
            state.Violation($"{what} reached {steadyMax} after the warm-up, above the warm-up's highest {warmUpMax} + {margin}");
        }
    }

    private static string Describe(IReadOnlyList<ResourceSample> samples, Func<ResourceSample, double> value) =>
        samples.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{value(samples[0]):F0}->{value(samples[^1]):F0} (max {samples.Max(value):F0})");

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Tail(string text, int length) => text.Length <= length ? text : text[^length..];

    private static async Task CreateTopicAsync(string bootstrap)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = Nodes }]);
    }

    /// <param name="whole">Whether all nodes run (a sample taken while one is stopped, or being stopped or started, is marked).</param>
    private static async Task<List<ResourceSample>> SampleAsync(int processId, TimeSpan interval, Stopwatch clock, Func<bool> whole, CancellationToken stop)
    {
        ResourceSample Read()
        {
            var before = whole();
            var sample = ResourceSample.Read(processId, clock.Elapsed.TotalSeconds);
            return sample with { Whole = before && whole() };
        }

        var samples = new List<ResourceSample> { Read() };
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                samples.Add(Read());
            }
        }
        catch (OperationCanceledException)
        {
        }

        return samples;
    }

    /// <summary>An idempotent acks=all producer at a steady <see cref="RecordsPerSecond"/>: record n has key k(n mod 64) and value "n padding".</summary>
    private static void Produce(string bootstrap, SoakState state, CancellationToken stop)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = 120_000,
            SocketTimeoutMs = 10_000,
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 500,
        })
            .SetErrorHandler((_, error) => state.ClientError("producer", error))
            .Build();
        var clock = Stopwatch.StartNew();
        var sequence = 0L;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * RecordsPerSecond);
            while (sequence < due && !stop.IsCancellationRequested)
            {
                var number = sequence;
                try
                {
                    producer.Produce(Topic, new Message<string, string> { Key = KeyOf(number), Value = string.Create(CultureInfo.InvariantCulture, $"{number} {Padding}") }, report =>
                    {
                        if (report.Error.IsError)
                        {
                            state.DeliveryFailed(report.Error.Code);
                        }
                        else
                        {
                            state.Acknowledged(number);
                        }
                    });
                    sequence++;
                }
                catch (ProduceException<string, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }

            stop.WaitHandle.WaitOne(10);
        }

        if (producer.Flush(TimeSpan.FromSeconds(120)) > 0)
        {
            state.Violation("the producer did not deliver its last records within 120 s");
        }
    }

    private static string KeyOf(long sequence) => "k" + (sequence % Keys).ToString(CultureInfo.InvariantCulture);

    /// <summary>Waits (bounded) until the group's committed offsets sum to more than <paramref name="before"/>; how long it took, or null.</summary>
    private static async Task<TimeSpan?> WaitForProgressAsync(IConsumer<Ignore, Ignore> observer, long before, SoakState state, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ProgressTimeout)
        {
            if (Committed(observer, state) > before)
            {
                return clock.Elapsed;
            }

            await Task.Delay(100, cancellationToken);
        }

        return null;
    }

    private static List<TopicPartition> TopicPartitions => [.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p))];

    /// <summary>The sum of the group's committed offsets (none committed counts 0), or null when the coordinator did not answer in time.</summary>
    private static long? Committed(IConsumer<Ignore, Ignore> observer, SoakState state)
    {
        try
        {
            var committed = observer.Committed(TopicPartitions, TimeSpan.FromSeconds(5)).Sum(c => Math.Max(0, c.Offset.Value));
            state.LastCommitted = committed;
            return committed;
        }
        catch (KafkaException e)
        {
            state.ClientError("offset fetch", e.Error);
            return null;
        }
    }

    /// <summary>Records of the topic the group has not committed, or null when the broker did not answer in time.</summary>
    private static long? Lag(IConsumer<Ignore, Ignore> observer)
    {
        try
        {
            var committed = observer.Committed(TopicPartitions, TimeSpan.FromSeconds(5)).ToDictionary(c => c.Partition.Value, c => Math.Max(0, c.Offset.Value));
            return TopicPartitions.Sum(p => observer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High.Value - committed[p.Partition.Value]);
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    private enum FaultKind
    {
        Join,
        Leave,
        StopNode,
        StartNode,
    }

    private readonly record struct Fault(TimeSpan At, FaultKind Kind);

    /// <param name="Rebalance">A member joins, and one period later one leaves, at every multiple of this.</param>
    /// <param name="Node">A node is stopped at 5/8 of every such period and started again a quarter period later.</param>
    private sealed record SoakPlan(TimeSpan Duration, TimeSpan Rebalance, TimeSpan Node, TimeSpan Sample)
    {
        public IEnumerable<Fault> Schedule()
        {
            var faults = new List<Fault>();
            var joined = false;
            for (var at = Rebalance; at < Duration; at += Rebalance)
            {
                faults.Add(new Fault(at, joined ? FaultKind.Leave : FaultKind.Join));
                joined = !joined;
            }

            for (var period = TimeSpan.Zero; period + Node <= Duration; period += Node)
            {
                faults.Add(new Fault(period + (Node * 5 / 8), FaultKind.StopNode));
                faults.Add(new Fault(period + (Node * 7 / 8), FaultKind.StartNode));
            }

            return faults.OrderBy(f => f.At);
        }
    }

    /// <summary>What the producer, the members and the schedule saw, shared between their threads.</summary>
    private sealed class SoakState
    {
        private readonly ConcurrentQueue<long> _acknowledged = new();
        private readonly HashSet<long> _consumed = [];
        private readonly ConcurrentDictionary<string, int> _errors = new();
        private long _deliveries;
        private int _deliveryFailures;

        public ConcurrentQueue<string> Violations { get; } = new();

        public Dictionary<FaultKind, int> Faults { get; } = Enum.GetValues<FaultKind>().ToDictionary(k => k, _ => 0);

        public int StoppedNode { get; set; }

        private volatile bool _nodeDown;

        /// <summary>True from just before a node is stopped until it has started again.</summary>
        public bool NodeDown
        {
            get => _nodeDown;
            set => _nodeDown = value;
        }

        /// <summary>The last sum of committed offsets read (what a fault's progress is measured from when the read at the fault gets no answer).</summary>
        public long LastCommitted { get; set; }

        public int AcknowledgedCount => _acknowledged.Count;

        public long Deliveries => Interlocked.Read(ref _deliveries);

        public int DeliveryFailures => Volatile.Read(ref _deliveryFailures);

        public int ConsumedDistinct
        {
            get
            {
                lock (_consumed)
                {
                    return _consumed.Count;
                }
            }
        }

        public void Violation(string violation)
        {
            if (Violations.Count < 100)
            {
                Violations.Enqueue(violation);
            }
        }

        public void Acknowledged(long sequence) => _acknowledged.Enqueue(sequence);

        public void DeliveryFailed(ErrorCode code)
        {
            Interlocked.Increment(ref _deliveryFailures);
            _errors.AddOrUpdate("delivery " + code, 1, (_, n) => n + 1);
        }

        public void ClientError(string who, Error error)
        {
            if (error.IsFatal)
            {
                Violation($"{who}: fatal error {error.Code}: {error.Reason}");
            }

            _errors.AddOrUpdate($"{who} {error.Code}", 1, (_, n) => n + 1);
        }

        public void Consumed(ConsumeResult<string, string> record)
        {
            var value = record.Message.Value;
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !long.TryParse(value.AsSpan(0, space), CultureInfo.InvariantCulture, out var sequence) || record.Message.Key != KeyOf(sequence))
            {
                Violation($"record at {record.TopicPartitionOffset} is not one the producer sent: key {record.Message.Key}, value {value[..Math.Min(value.Length, 20)]}");
                return;
            }

            Interlocked.Increment(ref _deliveries);
            lock (_consumed)
            {
                _consumed.Add(sequence);
            }
        }

        public long MissingCount() => Missing().LongCount();

        public IEnumerable<long> Missing()
        {
            lock (_consumed)
            {
                return [.. _acknowledged.Where(s => !_consumed.Contains(s)).Order()];
            }
        }

        public string DescribeErrors() =>
            _errors.IsEmpty ? "client errors: none" : "client errors: " + string.Join(", ", _errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
    }

    /// <summary>
    /// One member of the group: a Confluent.Kafka consumer on a thread of its own that records each record it gets and
    /// stores its offset after that (auto commit every 250 ms, so what is committed was recorded). Stop closes it (leaving the group).
    /// </summary>
    private sealed class SoakMember
    {
        private readonly Thread _thread;
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _stop;

        public SoakMember(int id, string bootstrap, SoakState state)
        {
            Id = id;
            _thread = new Thread(() => Run(bootstrap, state)) { IsBackground = true, Name = "soak-member-" + id.ToString(CultureInfo.InvariantCulture) };
            _thread.Start();
        }

        public int Id { get; }

        /// <summary>Closes the consumer; false when it did not close within <paramref name="timeout"/>.</summary>
        public bool Stop(TimeSpan timeout)
        {
            _stop = true;
            return _closed.Task.Wait(timeout);
        }

        private void Run(string bootstrap, SoakState state)
        {
            try
            {
                using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
                {
                    BootstrapServers = bootstrap,
                    GroupId = Group,
                    ClientId = "soak-member-" + Id.ToString(CultureInfo.InvariantCulture),
                    EnableAutoCommit = true,
                    AutoCommitIntervalMs = 250,
                    EnableAutoOffsetStore = false,
                    AutoOffsetReset = AutoOffsetReset.Earliest,
                    SessionTimeoutMs = 10_000,
                    HeartbeatIntervalMs = 1_000,
                    FetchWaitMaxMs = 100,
                    SocketTimeoutMs = 10_000,
                    ReconnectBackoffMs = 50,
                    ReconnectBackoffMaxMs = 500,
                })
                    .SetErrorHandler((_, error) => state.ClientError("consumer", error))
                    .Build();
                consumer.Subscribe(Topic);
                while (!_stop)
                {
                    ConsumeResult<string, string>? record;
                    try
                    {
                        record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    }
                    catch (ConsumeException e)
                    {
                        state.ClientError("consume", e.Error);
                        continue;
                    }

                    if (record is null || record.IsPartitionEOF)
                    {
                        continue;
                    }

                    state.Consumed(record);
                    try
                    {
                        consumer.StoreOffset(record);
                    }
                    catch (KafkaException e)
                    {
                        // The partition was revoked in between: its next owner consumes the record again.
                        state.ClientError("store offset", e.Error);
                    }
                }

                consumer.Close();
            }
            catch (KafkaException e)
            {
                state.Violation($"member {Id}: {e.Message}");
            }
            finally
            {
                _closed.TrySetResult();
            }
        }
    }
}

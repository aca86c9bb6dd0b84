using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Benchmarks.Utils;
using Samsa.Broker;

namespace Samsa.Benchmarks.Broker;

/// <summary>
/// Consumer groups with Confluent.Kafka: the time from a member joining until its group is Stable
/// (the member holds its assignment, one member alone and three at once), and the consume
/// throughput of a 3-member group (200,000 records of 100 B over 12 partitions, counted from the
/// moment all three hold their partitions). Brokers: Samsa.Broker with Kafka's default 3 s initial
/// rebalance delay, Samsa.Broker with no delay, and librdkafka's mock cluster as the baseline
/// (its first rebalance also waits 3 s, as Kafka's does). Brokers run in this process, like the mock.
/// Run: <c>dotnet run -c Release --project bench/Samsa.Benchmarks -- --filter '*Group*'</c>.
/// </summary>
[Config(typeof(GroupBenchmarkConfig))]
public class GroupBenchmarks : IAsyncDisposable
{
    public const string SamsaDefault = "Samsa (3 s delay)";
    public const string SamsaNoDelay = "Samsa (no delay)";
    public const string Mock = "librdkafka mock";
    private const string Topic = "bench-group";
    private const int Partitions = 12;
    private const int Records = 200_000;
    private const int ValueSize = 100;

    private SamsaBroker? _samsa;
    private IAdminClient? _mockHost;
    private string _bootstrap = "";
    private int _round;
    private List<IConsumer<byte[], byte[]>> _members = [];

    [Params(SamsaDefault, SamsaNoDelay, Mock)]
    public string Broker { get; set; } = SamsaDefault;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var library = Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        if (Broker == Mock)
        {
            var config = new AdminClientConfig { BootstrapServers = "unused:9092" };
            config.Set("test.mock.num.brokers", "1");
            _mockHost = new AdminClientBuilder(config).Build();
            _bootstrap = string.Join(',', _mockHost.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Select(b => $"{b.Host}:{b.Port}"));
            CreateMockTopic(_mockHost, library.Path);
        }
        else
        {
            _samsa = await SamsaBroker.StartAsync(new BrokerOptions
            {
                GroupInitialRebalanceDelay = Broker == SamsaNoDelay ? TimeSpan.Zero : BrokerDefaults.GroupInitialRebalanceDelay,
            });
            _bootstrap = _samsa.BootstrapServers;
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _bootstrap }).Build();
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = 1 }]);
        }

        var producerConfig = new ProducerConfig
        {
            BootstrapServers = _bootstrap,
            LingerMs = 5,
            BatchSize = 1 << 16,
            Acks = Acks.Leader,
            QueueBufferingMaxMessages = Records * 2,
        };
        using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig).Build();
        var value = new byte[ValueSize];
        for (var i = 0; i < Records; i++)
        {
            producer.Produce(new TopicPartition(Topic, i % Partitions), new Message<byte[], byte[]> { Value = value });
            if (i % 10_000 == 0)
            {
                producer.Poll(TimeSpan.Zero);
            }
        }

        if (producer.Flush(TimeSpan.FromSeconds(60)) != 0)
        {
            throw new InvalidOperationException("Records were not all produced.");
        }
    }

    /// <summary>
    /// The mock cluster has no controller for CreateTopics: its topic is made through librdkafka's
    /// mock API (rd_kafka_mock_topic_create) on the cluster the host client runs.
    /// </summary>
    private static void CreateMockTopic(IAdminClient host, string libraryPath)
    {
        var handleProperty = typeof(Handle).GetProperty("LibrdkafkaHandle", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Confluent.Kafka's Handle.LibrdkafkaHandle was not found.");
        var rk = ((System.Runtime.InteropServices.SafeHandle)handleProperty.GetValue(host.Handle)!).DangerousGetHandle();
        var library = System.Runtime.InteropServices.NativeLibrary.Load(libraryPath);
        var cluster = System.Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<MockClusterOf>(
            System.Runtime.InteropServices.NativeLibrary.GetExport(library, "rd_kafka_handle_mock_cluster"))(rk);
        var create = System.Runtime.InteropServices.Marshal.GetDelegateForFunctionPointer<MockTopicCreate>(
            System.Runtime.InteropServices.NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create"));
        var error = create(cluster, Topic, Partitions, 1);
        if (error != 0)
        {
            throw new InvalidOperationException($"rd_kafka_mock_topic_create failed with {error}.");
        }
    }

    [System.Runtime.InteropServices.UnmanagedFunctionPointer(System.Runtime.InteropServices.CallingConvention.Cdecl)]
    private delegate IntPtr MockClusterOf(IntPtr rk);

    [System.Runtime.InteropServices.UnmanagedFunctionPointer(System.Runtime.InteropServices.CallingConvention.Cdecl)]
    private delegate int MockTopicCreate(IntPtr cluster, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string topic, int partitions, int replicationFactor);

    private ConsumerConfig MemberConfig(string group) => new()
    {
        BootstrapServers = _bootstrap,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 500,
        FetchWaitMaxMs = 50,
    };

    /// <summary>Subscribes <paramref name="count"/> members to a new group and polls until each holds partitions.</summary>
    private List<IConsumer<byte[], byte[]>> JoinNewGroup(int count)
    {
        var group = $"bench-{Broker.GetHashCode():x}-{++_round}";
        var members = Enumerable.Range(0, count).Select(_ => new ConsumerBuilder<byte[], byte[]>(MemberConfig(group)).Build()).ToList();
        foreach (var member in members)
        {
            member.Subscribe(Topic);
        }

        var pending = members.ToList();
        var clock = Stopwatch.StartNew();
        while (pending.Count > 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("The group did not become Stable within a minute.");
            }

            foreach (var member in pending.ToList())
            {
                member.Consume(TimeSpan.FromMilliseconds(1));
                if (member.Assignment.Count > 0 && (count == 1 || member.Assignment.Count == Partitions / count))
                {
                    pending.Remove(member);
                }
            }
        }

        return members;
    }

    private static void CloseAll(List<IConsumer<byte[], byte[]>> members)
    {
        foreach (var member in members)
        {
            member.Close();
            member.Dispose();
        }

        members.Clear();
    }

    [Benchmark(Description = "Join one member until Stable")]
    public void JoinOneUntilStable() => CloseAll(JoinNewGroup(1));

    [Benchmark(Description = "Join three members until Stable")]
    public void JoinThreeUntilStable() => CloseAll(JoinNewGroup(3));

    [IterationSetup(Target = nameof(ConsumeWithThreeMembers))]
    public void FormGroupOfThree() => _members = JoinNewGroup(3);

    /// <summary>The three members consume every record (each from its own thread); time per record.</summary>
    [Benchmark(Description = "3-member group consumes 200k x 100 B", OperationsPerInvoke = Records)]
    public void ConsumeWithThreeMembers()
    {
        var consumed = 0;
        var threads = _members.Select(member => new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref consumed) < Records && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                if (member.Consume(TimeSpan.FromMilliseconds(20)) is { IsPartitionEOF: false })
                {
                    Interlocked.Increment(ref consumed);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (consumed < Records)
        {
            throw new InvalidOperationException($"Only {consumed} of {Records} records were consumed.");
        }
    }

    [IterationCleanup(Target = nameof(ConsumeWithThreeMembers))]
    public void CloseGroupOfThree() => CloseAll(_members);

    [GlobalCleanup]
    public async Task CleanupAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        CloseAll(_members);
        _mockHost?.Dispose();
        _mockHost = null;
        if (_samsa is not null)
        {
            await _samsa.DisposeAsync();
            _samsa = null;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// In process (the brokers live here), few iterations: each one is a real rebalance or a full consume. With
    /// <c>SAMSA_BENCH_QUICK=1</c> (bench/run.sh --quick) two iterations instead of five.
    /// </summary>
    private sealed class GroupBenchmarkConfig : ManualConfig
    {
        public GroupBenchmarkConfig()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(Environment.GetEnvironmentVariable("SAMSA_BENCH_QUICK") == "1" ? 2 : 5)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
            AddColumn(new RecordsPerSecondColumn());
            SummaryStyle = SummaryStyle.Default.WithTimeUnit(Perfolizer.Horology.TimeUnit.Millisecond);
        }
    }

    /// <summary>Records per second for the consume benchmark (its mean is per record).</summary>
    private sealed class RecordsPerSecondColumn() : SimpleColumn("Records/s", "Consumed records per second (consume benchmark only)")
    {
        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            if (benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(ConsumeWithThreeMembers))
            {
                return "-";
            }

            var report = summary[benchmarkCase];
            return report?.ResultStatistics is { } stats ? (1e9 / stats.Mean).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "?";
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Samsa.Benchmarks.Utils;
using Samsa.Broker;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Broker;

/// <summary>
/// Incremental fetch sessions (KIP-227) against sessionless fetches, for an idle consumer: every partition is at its
/// log end (3 records each, fetch offset 3), MaxWaitMs 0, MinBytes 1, so each fetch answers at once with nothing new.
/// <see cref="FullFetch"/> (the baseline, "before") lists every partition with session epoch -1, as librdkafka does;
/// <see cref="IncrementalFetch"/> ("after") works in a session opened once in set-up (a full fetch at epoch 0) and
/// names no partition, only the session id and its next epoch. Topics of 1 and 500 partitions on an in-process
/// Samsa.Broker in memory; Fetch v12 (topic names) over a raw TCP client (<see cref="FetchSessionWireClient"/>, one
/// fetch in flight). The mean is the round trip of one fetch. The CPU column is this process's CPU time (broker and
/// client together, /proc) over a separate run of fetches after the measured iterations, divided by their count; the
/// client's share is small (a pre-encoded request, a raw read of the answer, no decoding). Prints
/// <c>RESULT suite=fetch-session case=N-partitions metric=cpu/fetch ratio=incremental/full</c>.
/// Run: <c>dotnet run -c Release --project bench/Samsa.Benchmarks -- --filter '*FetchSession*'</c>.
/// </summary>
[Config(typeof(FetchSessionBenchmarkConfig))]
public class FetchSessionBenchmarks : IAsyncDisposable
{
    private const short FetchVersion = 12;
    private const int RecordsPerPartition = 3;

    /// <summary>CPU per fetch measured after each case, by (method, partitions): for the column and the RESULT lines.</summary>
    private static readonly ConcurrentDictionary<(string Method, int Partitions), CpuFigure> Figures = new();

    private SamsaBroker? _broker;
    private FetchSessionWireClient? _client;
    private byte[] _fullFrame = [];
    private int _fullAnswerSize;
    private FetchRequest _incremental = new();
    private int _incrementalAnswerSize;

    [Params(1, 500)]
    public int Partitions { get; set; } = 1;

    private static string TopicOf(int partitions) => $"fetch-{partitions}";

    [GlobalSetup]
    public void Setup()
    {
        _broker = SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { [TopicOf(1)] = 1, [TopicOf(500)] = 500 } }).GetAwaiter().GetResult();
        var node = _broker.Nodes[0];
        _client = FetchSessionWireClient.Connect(node.Host, node.Port);
        Produce(TopicOf(1), 1);
        Produce(TopicOf(500), 500);

        // Before: a sessionless full fetch. Checked once decoded; the measured fetches only read the answer's frame
        // and compare its size (the same every time while nothing changes).
        var full = FullRequest(sessionEpoch: -1);
        var fullAnswer = _client.RoundTrip<FetchResponse>(full, FetchVersion);
        Check(fullAnswer, expectedPartitions: Partitions, expectSession: false);
        _fullFrame = FetchSessionWireClient.Encode(full, FetchVersion, _client.NextCorrelationId());
        _client.Send(_fullFrame);
        _fullAnswerSize = _client.ReadFrame().Length;

        // After: a session opened by a full fetch at epoch 0, then incremental fetches naming no partition.
        var opened = _client.RoundTrip<FetchResponse>(FullRequest(sessionEpoch: 0), FetchVersion);
        Check(opened, expectedPartitions: Partitions, expectSession: true);
        _incremental = new FetchRequest
        {
            MaxWaitMs = 0,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            SessionId = opened.SessionId,
            SessionEpoch = 1,
        };
        var quiet = _client.RoundTrip<FetchResponse>(_incremental, FetchVersion);
        Check(quiet, expectedPartitions: 0, expectSession: true);
        _incremental.SessionEpoch++;
        _client.Send(FetchSessionWireClient.Encode(_incremental, FetchVersion, _client.NextCorrelationId()));
        _incrementalAnswerSize = _client.ReadFrame().Length;
        _incremental.SessionEpoch++;
    }

    private FetchRequest FullRequest(int sessionEpoch) => new()
    {
        MaxWaitMs = 0,
        MinBytes = 1,
        MaxBytes = 1 << 20,
        SessionId = 0,
        SessionEpoch = sessionEpoch,
        Topics =
        [
            new()
            {
                Topic = TopicOf(Partitions),
                Partitions = Enumerable.Range(0, Partitions)
                    .Select(p => new FetchRequest.FetchPartition { Partition = p, FetchOffset = RecordsPerPartition, PartitionMaxBytes = 1 << 20 })
                    .ToList(),
            },
        ],
    };

    private void Produce(string topic, int partitions)
    {
        using var builder = new RecordBatchBuilder();
        for (var i = 0; i < RecordsPerPartition; i++)
        {
            builder.Append(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"value-{i}"));
        }

        var batch = builder.ToArray();
        var response = _client!.RoundTrip<ProduceResponse>(
            new ProduceRequest
            {
                Acks = -1,
                TimeoutMs = 10_000,
                TopicData = [new() { Name = topic, PartitionData = Enumerable.Range(0, partitions).Select(p => new ProduceRequest.PartitionProduceData { Index = p, Records = batch }).ToList() }],
            },
            9);
        if (response.Responses.SelectMany(t => t.PartitionResponses).Count(p => p.ErrorCode == 0) != partitions)
        {
            throw new InvalidOperationException($"Producing to {topic} failed.");
        }
    }

    private static void Check(FetchResponse response, int expectedPartitions, bool expectSession)
    {
        var partitions = response.Responses.SelectMany(t => t.Partitions).ToList();
        if (response.ErrorCode != 0
            || (response.SessionId != 0) != expectSession
            || partitions.Count != expectedPartitions
            || partitions.Any(p => p.ErrorCode != 0 || p.HighWatermark != RecordsPerPartition || p.Records is { IsEmpty: false }))
        {
            throw new InvalidOperationException(
                $"Unexpected fetch answer: error {response.ErrorCode}, session {response.SessionId}, {partitions.Count} partitions (expected {expectedPartitions}).");
        }
    }

    [Benchmark(Baseline = true, Description = "Full fetch (no session, every partition)")]
    public void FullFetch()
    {
        _client!.Send(_fullFrame);
        ExpectAnswerOf(_fullAnswerSize);
    }

    [Benchmark(Description = "Incremental fetch (session, no partition)")]
    public void IncrementalFetch()
    {
        var client = _client!;
        client.Send(FetchSessionWireClient.Encode(_incremental, FetchVersion, client.NextCorrelationId()));
        _incremental.SessionEpoch = _incremental.SessionEpoch == int.MaxValue ? 1 : _incremental.SessionEpoch + 1;
        ExpectAnswerOf(_incrementalAnswerSize);
    }

    /// <summary>An error answer (say, a refused session epoch) is shorter than the answer checked in set-up.</summary>
    private void ExpectAnswerOf(int size)
    {
        var length = _client!.ReadFrame().Length;
        if (length != size)
        {
            throw new InvalidOperationException($"The fetch answer was {length} bytes, expected {size}.");
        }
    }

    [GlobalCleanup(Target = nameof(FullFetch))]
    public Task CleanupFullAsync()
    {
        MeasureCpu(nameof(FullFetch), FullFetch, _fullFrame.Length, _fullAnswerSize + 4);
        return DisposeAsync().AsTask();
    }

    [GlobalCleanup(Target = nameof(IncrementalFetch))]
    public Task CleanupIncrementalAsync()
    {
        MeasureCpu(nameof(IncrementalFetch), IncrementalFetch, FetchSessionWireClient.Encode(_incremental, FetchVersion, 0).Length, _incrementalAnswerSize + 4);
        return DisposeAsync().AsTask();
    }

    /// <summary>Process CPU time over fetches run for a fixed wall time (warm by now), per fetch.</summary>
    private void MeasureCpu(string method, Action fetch, int requestBytes, int answerBytes)
    {
        var seconds = Environment.GetEnvironmentVariable("SAMSA_BENCH_QUICK") == "1" ? 1.0 : 3.0;
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < 1000; i++)
        {
            fetch();
        }

        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long fetches = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 100; i++)
            {
                fetch();
            }

            fetches += 100;
        }

        var wall = clock.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        Figures[(method, Partitions)] = new CpuFigure(cpu.TotalMicroseconds / fetches, wall.TotalMicroseconds / fetches, fetches, requestBytes, answerBytes);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        _client = null;
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
            _broker = null;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Prints the CPU figures and one RESULT line per partition count (incremental over full CPU per fetch).</summary>
    internal static void PrintCpuResults()
    {
        foreach (var partitions in Figures.Keys.Select(k => k.Partitions).Distinct().Order())
        {
            if (!Figures.TryGetValue((nameof(FullFetch), partitions), out var full) || !Figures.TryGetValue((nameof(IncrementalFetch), partitions), out var incremental))
            {
                continue;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fetch-session {partitions} partitions: full {Describe(full)}; incremental {Describe(incremental)}"));
            BenchResult.Print("fetch-session", $"{partitions}-partitions", "cpu/fetch", incremental.CpuMicroseconds / full.CpuMicroseconds);
        }
    }

    private static string Describe(CpuFigure figure) => string.Create(CultureInfo.InvariantCulture,
        $"{figure.CpuMicroseconds:F1} µs CPU/fetch ({figure.WallMicroseconds:F1} µs wall, {figure.Fetches} fetches, request {figure.RequestBytes} B, answer {figure.AnswerBytes} B)");

    private sealed record CpuFigure(double CpuMicroseconds, double WallMicroseconds, long Fetches, int RequestBytes, int AnswerBytes);

    /// <summary>
    /// In process (the broker lives here), short: 3 warm-up and 5 measured iterations of about 250 ms each (3 with
    /// <c>SAMSA_BENCH_QUICK=1</c>). Microsecond times.
    /// </summary>
    private sealed class FetchSessionBenchmarkConfig : ManualConfig
    {
        public FetchSessionBenchmarkConfig()
        {
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(Environment.GetEnvironmentVariable("SAMSA_BENCH_QUICK") == "1" ? 3 : 5)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)));
            AddColumn(new CpuPerFetchColumn());
            SummaryStyle = SummaryStyle.Default.WithTimeUnit(Perfolizer.Horology.TimeUnit.Microsecond);
        }
    }

    /// <summary>Process CPU µs per fetch from the run after each case's iterations.</summary>
    private sealed class CpuPerFetchColumn() : SimpleColumn("CPU µs/fetch", "Process CPU time (broker and client) per fetch, over a separate run of fetches after the iterations")
    {
        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
            Figures.TryGetValue((benchmarkCase.Descriptor.WorkloadMethod.Name, (int)benchmarkCase.Parameters[nameof(Partitions)]), out var figure)
                ? figure.CpuMicroseconds.ToString("F1", CultureInfo.InvariantCulture)
                : "?";
    }
}

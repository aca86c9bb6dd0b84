using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Benchmarks.Utils;
using Samsa.Configuration;
using Samsa.Diagnostics;
using Samsa.Publishing;

namespace Samsa.Benchmarks.Publishing;

/// <summary>
/// Publishing through <see cref="IEventPublisher"/> against a plain Confluent.Kafka producer with the same producer
/// settings and the same message (value bytes, key, the five standard headers, CreateTime), in the same run:
/// the awaited path against <c>ProduceAsync</c>, and fire-and-forget (<c>Publish</c> with a completion callback) against
/// <c>Produce</c> with a delivery handler. A "bare" plain producer (pre-serialized value, no key, no headers) shows the floor.
/// </summary>
/// <remarks>
/// <para>
/// The broker (Samsa.Broker through the samsa CLI) runs in its own process so its CPU is not counted as the client's.
/// Settings are the Production profile's (acks=all, idempotence, snappy, 32 KiB batches, linger 5 ms) over PLAINTEXT,
/// plus the delivery report fields the publisher asks for (timestamp, status) on both sides.
/// </para>
/// <para>
/// Two ways to run it. <c>publish</c> mode (<see cref="Run"/>) is the source of the figures: per case, messages per
/// second, client CPU µs per message (process CPU time, every thread: librdkafka's, the poll thread, the thread pool, GC)
/// and allocated bytes per message (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, every thread), cases interleaved over
/// several rounds, medians reported. With 2 cores the run is CPU-bound, so CPU per message is the honest overhead figure.
/// The BenchmarkDotNet methods (<c>--filter *PublisherBenchmarks*</c>, <see cref="MemoryDiagnoserAttribute"/>) measure the
/// same cases in batches of <see cref="BatchSize"/> messages for wall time and allocations.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet owns the lifetime: GlobalCleanup disposes.")]
public class PublisherBenchmarks
{
    public const int BatchSize = 2_000;
    private const int MaxInFlight = 20_000;
    private const string Topic = "bench-publish";
    private const int Keys = 64;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] EventTypeBytes = Encoding.UTF8.GetBytes(typeof(BenchOrderPlaced).FullName!);
    private static readonly byte[] ContentTypeBytes = Encoding.UTF8.GetBytes("application/json");
    private static readonly PublishCompletion OnPublished = static (_, error, state) => ((InFlight)state!).Complete(error is null);

    private readonly BenchOrderPlaced[] _events = [.. Enumerable.Range(0, Keys).Select(i => new BenchOrderPlaced($"order-{i:D6}", 100 + i, $"customer-{i:D4}", "EUR", 3))];
    private readonly string[] _keys = [.. Enumerable.Range(0, Keys).Select(i => $"customer-{i:D4}")];
    private readonly PublishOptions[] _publishOptions;
    private readonly byte[] _bareValue;
    private BrokerProcess? _broker;
    private EventPublisher _publisher = null!;
    private IProducer<string?, byte[]> _plain = null!;
    private IProducer<Null, byte[]> _bare = null!;
    private InFlight _inFlight = null!;
    private Action<DeliveryReport<string?, byte[]>> _plainHandler = null!;
    private int _next;

    public PublisherBenchmarks()
    {
        _publishOptions = [.. _keys.Select(key => new PublishOptions { Key = key, CorrelationId = "bench-correlation-id" })];
        _bareValue = JsonSerializer.SerializeToUtf8Bytes(_events[0], Json);
    }

    /// <summary>Bootstrap servers of an already running broker; when null, <see cref="GlobalSetup"/> starts one.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>The samsa CLI that hosts the broker process.</summary>
    public string SamsaPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "..", "..", "Samsa.Cli", "release", "samsa");

    public int Messages => _inFlight.Completed;

    [GlobalSetup]
    public void GlobalSetup()
    {
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        if (BootstrapServers is null)
        {
            _broker = BrokerProcess.StartSamsa(SamsaPath, null);
            BootstrapServers = _broker.BootstrapServers;
        }

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build())
        {
            try
            {
                admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 3, ReplicationFactor = 1 }]).GetAwaiter().GetResult();
            }
            catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
            {
            }
        }

        var config = ProducerConfig(BootstrapServers);
        _publisher = new EventPublisher(
            () => ProducerConfig(BootstrapServers),
            new PublisherOptions { TopicNamingConvention = _ => Topic },
            new ProducerErrorTracker(TimeProvider.System, TimeSpan.FromMinutes(5)),
            new SamsaMetrics(null),
            null,
            TimeProvider.System);
        _plain = new ProducerBuilder<string?, byte[]>(config).Build();
        _bare = new ProducerBuilder<Null, byte[]>(config).Build();
        _inFlight = new InFlight(MaxInFlight);
        _plainHandler = report => _inFlight.Complete(!report.Error.IsError);
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _publisher.Dispose();
        _plain.Flush(TimeSpan.FromSeconds(10));
        _plain.Dispose();
        _bare.Dispose();
        _broker?.Dispose();
    }

    /// <summary>The producer settings both sides use: the Production profile over PLAINTEXT, as Samsa builds them.</summary>
    public static ProducerConfig ProducerConfig(string bootstrapServers)
    {
        var options = new KafkaOptions
        {
            Profile = KafkaProfile.Production,
            BootstrapServers = [.. bootstrapServers.Split(',')],
            SecurityProtocol = SecurityProtocol.Plaintext,
            AllowPlaintextInProduction = true,
            ClientId = "publish-bench",
        };
        var config = KafkaClientConfigFactory.CreateProducerConfig(options);
        config.DeliveryReportFields = PublisherDefaults.DeliveryReportFields;
        return config;
    }

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "IEventPublisher.PublishAsync (awaited)")]
    public Task PublisherAwaited() => PublisherAwaitedAsync(BatchSize);

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize, Description = "IProducer.ProduceAsync (awaited)")]
    public Task PlainAwaited() => PlainAwaitedAsync(BatchSize);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "IProducer.ProduceAsync bare (awaited)")]
    public Task BareAwaited() => BareAwaitedAsync(BatchSize);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "IEventPublisher.Publish + callback")]
    public void PublisherFireAndForget() => PublisherFireAndForget(BatchSize);

    [Benchmark(OperationsPerInvoke = BatchSize, Description = "IProducer.Produce + handler")]
    public void PlainFireAndForget() => PlainFireAndForget(BatchSize);

    /// <summary>Awaited publishes, <see cref="BatchSize"/> at a time in flight, each awaited.</summary>
    public async Task PublisherAwaitedAsync(int count)
    {
        var pending = new ValueTask<PublishResult>[BatchSize];
        for (var sent = 0; sent < count; sent += BatchSize)
        {
            var batch = Math.Min(BatchSize, count - sent);
            for (var i = 0; i < batch; i++)
            {
                var n = _next++ % Keys;
#pragma warning disable CA2012 // Each ValueTask is awaited exactly once, below; keeping a window of them in flight is the point.
                pending[i] = _publisher.PublishAsync(_events[n], _publishOptions[n]);
#pragma warning restore CA2012
            }

            for (var i = 0; i < batch; i++)
            {
                await pending[i];
            }
        }
    }

    /// <summary>The same messages by hand: serialize, the five headers, key, CreateTime, <c>ProduceAsync</c>.</summary>
    public async Task PlainAwaitedAsync(int count)
    {
        var pending = new Task<DeliveryResult<string?, byte[]>>[BatchSize];
        for (var sent = 0; sent < count; sent += BatchSize)
        {
            var batch = Math.Min(BatchSize, count - sent);
            for (var i = 0; i < batch; i++)
            {
                pending[i] = _plain.ProduceAsync(Topic, PlainMessage());
            }

            for (var i = 0; i < batch; i++)
            {
                await pending[i];
            }
        }
    }

    /// <summary>The floor: a pre-serialized value without key or headers.</summary>
    public async Task BareAwaitedAsync(int count)
    {
        var pending = new Task<DeliveryResult<Null, byte[]>>[BatchSize];
        var message = new Message<Null, byte[]> { Value = _bareValue };
        for (var sent = 0; sent < count; sent += BatchSize)
        {
            var batch = Math.Min(BatchSize, count - sent);
            for (var i = 0; i < batch; i++)
            {
                pending[i] = _bare.ProduceAsync(Topic, message);
            }

            for (var i = 0; i < batch; i++)
            {
                await pending[i];
            }
        }
    }

    /// <summary>Fire-and-forget publishes with a completion callback, at most <see cref="MaxInFlight"/> outstanding; waits for the last.</summary>
    public void PublisherFireAndForget(int count)
    {
        var inFlight = _inFlight;
        for (var i = 0; i < count; i++)
        {
            inFlight.Enter();
            var n = _next++ % Keys;
            _publisher.Publish(_events[n], _publishOptions[n], OnPublished, inFlight);
        }

        inFlight.WaitForAll();
    }

    /// <summary>The same by hand with <c>Produce</c> and a delivery handler.</summary>
    public void PlainFireAndForget(int count)
    {
        var inFlight = _inFlight;
        for (var i = 0; i < count; i++)
        {
            inFlight.Enter();
            _plain.Produce(Topic, PlainMessage(), _plainHandler);
        }

        inFlight.WaitForAll();
    }

    private Message<string?, byte[]> PlainMessage()
    {
        var n = _next++ % Keys;
        var now = TimeProvider.System.GetUtcNow();
        var headers = new Headers
        {
            { SamsaHeaders.EventId, Encoding.UTF8.GetBytes(Guid.CreateVersion7(now).ToString()) },
            { SamsaHeaders.EventType, EventTypeBytes },
            { SamsaHeaders.Timestamp, Encoding.UTF8.GetBytes(now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) },
            { SamsaHeaders.ContentType, ContentTypeBytes },
            { SamsaHeaders.CorrelationId, Encoding.UTF8.GetBytes("bench-correlation-id") },
        };
        return new Message<string?, byte[]>
        {
            Key = _keys[n],
            Value = JsonSerializer.SerializeToUtf8Bytes(_events[n], Json),
            Headers = headers,
            Timestamp = new Timestamp(now),
        };
    }

    /// <summary>"publish" mode: the figures for the note.</summary>
    public static int Run(string[] args)
    {
        var messages = args.FirstOrDefault(a => a.StartsWith("--messages=", StringComparison.Ordinal)) is { } m ? int.Parse(m["--messages=".Length..], CultureInfo.InvariantCulture) : 200_000;
        var rounds = args.FirstOrDefault(a => a.StartsWith("--rounds=", StringComparison.Ordinal)) is { } r ? int.Parse(r["--rounds=".Length..], CultureInfo.InvariantCulture) : 3;
        var bench = new PublisherBenchmarks();
        if (args.FirstOrDefault(a => a.StartsWith("--samsa=", StringComparison.Ordinal)) is { } samsa)
        {
            bench.SamsaPath = samsa["--samsa=".Length..];
        }

        bench.GlobalSetup();
        try
        {
            var cases = new (string Name, string Path, Action<int> Body)[]
            {
                ("IEventPublisher.PublishAsync", "awaited", n => bench.PublisherAwaitedAsync(n).GetAwaiter().GetResult()),
                ("IProducer.ProduceAsync (same message)", "awaited", n => bench.PlainAwaitedAsync(n).GetAwaiter().GetResult()),
                ("IProducer.ProduceAsync (bare: no key, headers, serialization)", "awaited", n => bench.BareAwaitedAsync(n).GetAwaiter().GetResult()),
                ("IEventPublisher.Publish + callback", "fire-and-forget", bench.PublisherFireAndForget),
                ("IProducer.Produce + handler (same message)", "fire-and-forget", bench.PlainFireAndForget),
            };
            foreach (var c in cases)
            {
                c.Body(Math.Max(BatchSize, messages / 10));
            }

            var samples = cases.ToDictionary(c => c.Name, _ => new List<Sample>());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var c in cases)
                {
                    samples[c.Name].Add(Measure(bench, c.Body, messages));
                }
            }

            Print(cases.Select(c => (c.Name, c.Path, Median(samples[c.Name]))).ToList(), messages, rounds);
        }
        finally
        {
            bench.GlobalCleanup();
        }

        return 0;
    }

    private static Sample Measure(PublisherBenchmarks bench, Action<int> body, int messages)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var brokerCpu = bench._broker?.CpuTime ?? TimeSpan.Zero;
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        body(messages);
        clock.Stop();
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        process.Refresh();
        var cpuAfter = process.TotalProcessorTime;
        var brokerCpuAfter = bench._broker?.CpuTime ?? TimeSpan.Zero;
        return new Sample(
            messages / clock.Elapsed.TotalSeconds,
            (cpuAfter - cpu).TotalMicroseconds / messages,
            (allocatedAfter - allocated) / (double)messages,
            (brokerCpuAfter - brokerCpu).TotalMicroseconds / messages);
    }

    private static Sample Median(List<Sample> samples)
    {
        static double Mid(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        return new Sample(Mid(samples.Select(s => s.MessagesPerSecond)), Mid(samples.Select(s => s.CpuMicrosPerMessage)),
            Mid(samples.Select(s => s.BytesPerMessage)), Mid(samples.Select(s => s.BrokerCpuMicrosPerMessage)));
    }

    private static void Print(List<(string Name, string Path, Sample Sample)> rows, int messages, int rounds)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Publishing, {messages:N0} messages per measurement, median of {rounds} interleaved rounds, {Environment.ProcessorCount} cores, broker in its own process"));
        Console.WriteLine("| path | client | msgs/s | client CPU µs/msg | allocated B/msg | broker CPU µs/msg |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, path, s) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {path} | {name} | {s.MessagesPerSecond:N0} | {s.CpuMicrosPerMessage:F2} | {s.BytesPerMessage:F0} | {s.BrokerCpuMicrosPerMessage:F2} |"));
        }

        Console.WriteLine();
        Ratio(rows, "awaited", "IEventPublisher.PublishAsync", "IProducer.ProduceAsync (same message)");
        Ratio(rows, "fire-and-forget", "IEventPublisher.Publish + callback", "IProducer.Produce + handler (same message)");
    }

    private static void Ratio(List<(string Name, string Path, Sample Sample)> rows, string path, string candidate, string baseline)
    {
        var c = rows.Single(r => r.Name == candidate).Sample;
        var b = rows.Single(r => r.Name == baseline).Sample;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{path}: publisher/plain msgs/s {c.MessagesPerSecond / b.MessagesPerSecond:F3}, CPU/msg {c.CpuMicrosPerMessage / b.CpuMicrosPerMessage:F3} ({(c.CpuMicrosPerMessage / b.CpuMicrosPerMessage - 1) * 100:+0.0;-0.0}%), allocated {c.BytesPerMessage - b.BytesPerMessage:+0;-0} B/msg"));
    }

    private readonly record struct Sample(double MessagesPerSecond, double CpuMicrosPerMessage, double BytesPerMessage, double BrokerCpuMicrosPerMessage);

    /// <summary>Bounds fire-and-forget messages in flight (the same bound for both sides) and waits for the last to complete.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives for the whole benchmark process.")]
    private sealed class InFlight(int limit)
    {
        private readonly SemaphoreSlim _slots = new(limit, limit);
        private int _completed;
        private int _failed;

        public int Completed => Volatile.Read(ref _completed);

        public void Enter() => _slots.Wait();

        public void Complete(bool succeeded)
        {
            if (!succeeded)
            {
                Interlocked.Increment(ref _failed);
            }

            Interlocked.Increment(ref _completed);
            _slots.Release();
        }

        public void WaitForAll()
        {
            for (var i = 0; i < limit; i++)
            {
                _slots.Wait();
            }

            _slots.Release(limit);
            if (Volatile.Read(ref _failed) > 0)
            {
                throw new InvalidOperationException($"{_failed} messages failed.");
            }
        }
    }
}

/// <summary>The benchmark's event: about 120 bytes of JSON.</summary>
[KafkaTopic("bench-publish")]
public sealed record BenchOrderPlaced(string OrderId, decimal Total, string CustomerId, string Currency, int Lines);

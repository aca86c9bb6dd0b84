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
/// Two ways to run it. <c>publish</c> mode (<see cref="Run"/>, <c>--rounds=N --messages=M [--path=awaited|fire-and-forget|fire-and-forget-delivery-thread]</c>)
/// is the source of the figures: per case, messages per second, client CPU µs per message (process CPU time, every thread:
/// librdkafka's, the poll thread, the thread pool, GC; the broker's process is measured apart) and allocated bytes per
/// message (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, every thread). Each round measures publisher and plain for M
/// messages each in ABBA order (two halves per side, the starting side alternating between rounds), so load from other
/// processes on the shared machine weighs on both sides alike; the verdict is the median and spread of the per-round
/// publisher/plain ratios. Before measuring it checks that both sides resolve to the same librdkafka configuration and
/// serialize to the same bytes, and fails otherwise. With 2 cores the run is CPU-bound, so CPU per message is the
/// honest overhead figure.
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
    private EventPublisher _deliveryThreadPublisher = null!;
    private EventPublisher _telemetryOffPublisher = null!;
    private IProducer<string?, byte[]> _plain = null!;
    private IProducer<Null, byte[]> _bare = null!;
    private ProducerConfig? _publisherConfig;
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
        var bootstrapServers = BootstrapServers;
        _publisher = new EventPublisher(
            () => _publisherConfig = ProducerConfig(bootstrapServers),
            new PublisherOptions { TopicNamingConvention = _ => Topic },
            new ProducerErrorTracker(TimeProvider.System, TimeSpan.FromMinutes(5)),
            new SamsaMetrics(null),
            null,
            TimeProvider.System);
        _deliveryThreadPublisher = new EventPublisher(
            () => _publisherConfig = ProducerConfig(bootstrapServers),
            new PublisherOptions { TopicNamingConvention = _ => Topic, RunCallbacksOnDeliveryThread = true },
            new ProducerErrorTracker(TimeProvider.System, TimeSpan.FromMinutes(5)),
            new SamsaMetrics(null),
            null,
            TimeProvider.System);
        _telemetryOffPublisher = new EventPublisher(
            () => _publisherConfig = ProducerConfig(bootstrapServers),
            new PublisherOptions { TopicNamingConvention = _ => Topic, DisableMetrics = true, DisableTracing = true },
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
        _deliveryThreadPublisher.Dispose();
        _telemetryOffPublisher.Dispose();
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
    public void PublisherFireAndForget(int count) => FireAndForget(_publisher, count);

    /// <summary>The same with callbacks run on the delivery-report thread (<see cref="PublisherOptions.RunCallbacksOnDeliveryThread"/>), as Confluent's handler is.</summary>
    public void DeliveryThreadPublisherFireAndForget(int count) => FireAndForget(_deliveryThreadPublisher, count);

    /// <summary>Fire and forget through a publisher with its metrics and spans switched off, for the telemetry overhead pair.</summary>
    public void TelemetryOffFireAndForget(int count) => FireAndForget(_telemetryOffPublisher, count);

    private void FireAndForget(EventPublisher publisher, int count)
    {
        var inFlight = _inFlight;
        for (var i = 0; i < count; i++)
        {
            inFlight.Enter();
            var n = _next++ % Keys;
            publisher.Publish(_events[n], _publishOptions[n], OnPublished, inFlight);
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
        var rounds = args.FirstOrDefault(a => a.StartsWith("--rounds=", StringComparison.Ordinal)) is { } r ? int.Parse(r["--rounds=".Length..], CultureInfo.InvariantCulture) : 7;
        var only = args.FirstOrDefault(a => a.StartsWith("--path=", StringComparison.Ordinal)) is { } p ? p["--path=".Length..] : null;
        var bench = new PublisherBenchmarks();
        if (args.FirstOrDefault(a => a.StartsWith("--samsa=", StringComparison.Ordinal)) is { } samsa)
        {
            bench.SamsaPath = samsa["--samsa=".Length..];
        }

        bench.GlobalSetup();
        try
        {
            var pairs = new PathPair[]
            {
                new("awaited",
                    new Case("IEventPublisher.PublishAsync", n => bench.PublisherAwaitedAsync(n).GetAwaiter().GetResult()),
                    new Case("IProducer.ProduceAsync", n => bench.PlainAwaitedAsync(n).GetAwaiter().GetResult())),
                new("fire-and-forget",
                    new Case("IEventPublisher.Publish + callback", bench.PublisherFireAndForget),
                    new Case("IProducer.Produce + handler", bench.PlainFireAndForget)),
                new("fire-and-forget-delivery-thread",
                    new Case("IEventPublisher.Publish + callback on the delivery thread", bench.DeliveryThreadPublisherFireAndForget),
                    new Case("IProducer.Produce + handler", bench.PlainFireAndForget)),
            };
            // --telemetry: the same publisher with telemetry on (the OpenTelemetry SDK listening to every Samsa
            // instrument and sampling every span, exporting to a no-op) against telemetry off, in the same run.
            // --telemetry=metrics leaves spans out, to tell the two costs apart.
            using var telemetry = args.Contains("--telemetry") ? NoopTelemetry.Start()
                : args.Contains("--telemetry=metrics") ? NoopTelemetry.Start(traces: false) : null;
            if (telemetry is not null)
            {
                pairs =
                [
                    new("telemetry",
                        new Case("IEventPublisher.Publish, telemetry on (SDK, no-op export)", bench.PublisherFireAndForget),
                        new Case("IEventPublisher.Publish, telemetry off", bench.TelemetryOffFireAndForget)),
                ];
            }

            pairs = [.. pairs.Where(pair => only is null || pair.Path == only)];
            var bare = new Case("IProducer.ProduceAsync bare (no key, headers or serialization)", n => bench.BareAwaitedAsync(n).GetAwaiter().GetResult());

            // Warm-up: every case long enough for tiered compilation to settle (and the publisher's producer to exist).
            foreach (var pair in pairs)
            {
                pair.Publisher.Body(messages / 2);
                pair.Plain.Body(messages / 2);
            }

            bare.Body(messages / 4);
            Console.WriteLine(bench.DescribeEqualWork());

            var samples = pairs.ToDictionary(pair => pair.Path, _ => new List<(Sample Publisher, Sample Plain)>());
            var bareSamples = new List<Sample>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var pair in pairs)
                {
                    // Each round is publisher, plain, plain, publisher (half the messages each), so a load change on the
                    // shared machine during the round weighs on both sides alike; the next round starts with plain.
                    var first = round % 2 == 0 ? pair.Publisher : pair.Plain;
                    var second = round % 2 == 0 ? pair.Plain : pair.Publisher;
                    var firstOpening = Measure(bench, first.Body, messages / 2);
                    var secondOpening = Measure(bench, second.Body, messages / 2);
                    var secondClosing = Measure(bench, second.Body, messages / 2);
                    var firstClosing = Measure(bench, first.Body, messages / 2);
                    var firstTotal = firstOpening.Add(firstClosing);
                    var secondTotal = secondOpening.Add(secondClosing);
                    var (publisher, plain) = round % 2 == 0 ? (firstTotal, secondTotal) : (secondTotal, firstTotal);
                    samples[pair.Path].Add((publisher, plain));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round + 1} {pair.Path}: CPU µs/msg publisher {publisher.CpuMicrosPerMessage:F2} plain {plain.CpuMicrosPerMessage:F2} ratio {publisher.CpuMicrosPerMessage / plain.CpuMicrosPerMessage:F3}; msgs/s {publisher.MessagesPerSecond:N0} / {plain.MessagesPerSecond:N0}"));
                }

                bareSamples.Add(Measure(bench, bare.Body, messages));
            }

            Print(pairs, samples, bare, bareSamples, messages, rounds);
        }
        finally
        {
            bench.GlobalCleanup();
        }

        return 0;
    }

    /// <summary>
    /// Checks that both sides do the same work per message and says so: identical effective librdkafka configuration
    /// (what librdkafka resolves from each side's settings, defaults included) and the same serialized value bytes.
    /// </summary>
    private string DescribeEqualWork()
    {
        var plainSettings = ProducerConfig(BootstrapServers!).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var publisherSettings = (_publisherConfig ?? throw new InvalidOperationException("The publisher has not built its producer."))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var api = Samsa.Native.LibrdkafkaConfigApi.Create(Samsa.Native.LibrdkafkaLoader.EnsureLoaded().Handle);
        // Pointer-valued entries (the default topic configuration, callbacks) differ by address only.
        static string Comparable(string value) => value.StartsWith("0x", StringComparison.Ordinal) ? "(pointer)" : value;
        var plainEffective = api.DumpEffective(plainSettings).ToDictionary(p => p.Key, p => Comparable(p.Value), StringComparer.Ordinal);
        var publisherEffective = api.DumpEffective(publisherSettings).ToDictionary(p => p.Key, p => Comparable(p.Value), StringComparer.Ordinal);
        foreach (var (name, value) in plainSettings.Where(p => p.Key.StartsWith("dotnet.", StringComparison.Ordinal)))
        {
            plainEffective[name] = value;
        }

        foreach (var (name, value) in publisherSettings.Where(p => p.Key.StartsWith("dotnet.", StringComparison.Ordinal)))
        {
            publisherEffective[name] = value;
        }

        var differences = plainEffective.Keys.Union(publisherEffective.Keys)
            .Where(name => plainEffective.GetValueOrDefault(name) != publisherEffective.GetValueOrDefault(name))
            .Select(name => $"{name}: plain '{plainEffective.GetValueOrDefault(name)}', publisher '{publisherEffective.GetValueOrDefault(name)}'")
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidOperationException("The two sides' librdkafka settings differ: " + string.Join("; ", differences));
        }

        var plainValue = JsonSerializer.SerializeToUtf8Bytes(_events[0], Json);
        var publisherValue = new System.Buffers.ArrayBufferWriter<byte>();
        new SystemTextJsonEventSerializer().Serialize(_events[0], publisherValue);
        if (!publisherValue.WrittenSpan.SequenceEqual(plainValue))
        {
            throw new InvalidOperationException("The two sides serialize the event to different bytes.");
        }

        var set = string.Join(", ", plainSettings.Keys.Order(StringComparer.Ordinal).Where(k => k != "bootstrap.servers").Select(k => $"{k}={plainSettings[k]}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"Both sides: identical effective librdkafka configuration ({plainEffective.Count} properties; set: {set}); both serialize the event to JSON per message (System.Text.Json, web defaults, the same {plainValue.Length} bytes) and send the same key, five standard headers and CreateTime.");
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
        var workItems = ThreadPool.CompletedWorkItemCount;
        var clock = Stopwatch.StartNew();
        body(messages);
        clock.Stop();
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        var workItemsAfter = ThreadPool.CompletedWorkItemCount;
        process.Refresh();
        var cpuAfter = process.TotalProcessorTime;
        var brokerCpuAfter = bench._broker?.CpuTime ?? TimeSpan.Zero;
        return new Sample(messages, clock.Elapsed, cpuAfter - cpu, allocatedAfter - allocated, brokerCpuAfter - brokerCpu, workItemsAfter - workItems);
    }

    /// <summary>The value at quantile <paramref name="q"/> (0 to 1) of <paramref name="values"/>, interpolated between neighbours.</summary>
    private static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (position - below));
    }

    private static string Spread(IReadOnlyCollection<double> values, string format) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Quantile(values, 0.5).ToString(format, CultureInfo.InvariantCulture)} (IQR {Quantile(values, 0.25).ToString(format, CultureInfo.InvariantCulture)}–{Quantile(values, 0.75).ToString(format, CultureInfo.InvariantCulture)}, min–max {values.Min().ToString(format, CultureInfo.InvariantCulture)}–{values.Max().ToString(format, CultureInfo.InvariantCulture)})");

    private static void Print(PathPair[] pairs, Dictionary<string, List<(Sample Publisher, Sample Plain)>> samples, Case bare, List<Sample> bareSamples, int messages, int rounds)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Publishing, {messages:N0} messages per side per round, {rounds} rounds, each round ABBA-ordered (two halves per side, alternating which side starts), {Environment.ProcessorCount} cores, broker in its own process (its CPU not in client CPU)"));
        Console.WriteLine("| path | client | msgs/s (median) | client CPU µs/msg: median (min–max) | allocated B/msg (median) | thread-pool work items/msg (median) | broker CPU µs/msg (median) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        void Row(string path, string name, IReadOnlyList<Sample> list) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {path} | {name} | {Quantile(list.Select(s => s.MessagesPerSecond), 0.5):N0} | {Quantile(list.Select(s => s.CpuMicrosPerMessage), 0.5):F2} ({list.Min(s => s.CpuMicrosPerMessage):F2}–{list.Max(s => s.CpuMicrosPerMessage):F2}) | {Quantile(list.Select(s => s.BytesPerMessage), 0.5):F0} | {Quantile(list.Select(s => s.WorkItemsPerMessage), 0.5):F3} | {Quantile(list.Select(s => s.BrokerCpuMicrosPerMessage), 0.5):F2} |"));
        foreach (var pair in pairs)
        {
            Row(pair.Path, pair.Publisher.Name, [.. samples[pair.Path].Select(s => s.Publisher)]);
            Row(pair.Path, pair.Plain.Name, [.. samples[pair.Path].Select(s => s.Plain)]);
        }

        Row("awaited", bare.Name, bareSamples);
        Console.WriteLine();
        Console.WriteLine("Per-round publisher/plain ratios: median (IQR, min–max)");
        foreach (var pair in pairs)
        {
            var list = samples[pair.Path];
            Console.WriteLine($"{pair.Path}: CPU/msg {Spread([.. list.Select(s => s.Publisher.CpuMicrosPerMessage / s.Plain.CpuMicrosPerMessage)], "F3")}; " +
                $"msgs/s {Spread([.. list.Select(s => s.Publisher.MessagesPerSecond / s.Plain.MessagesPerSecond)], "F3")}; " +
                $"allocated B/msg difference {Spread([.. list.Select(s => s.Publisher.BytesPerMessage - s.Plain.BytesPerMessage)], "F0")}");
        }

        Console.WriteLine();
        foreach (var pair in pairs)
        {
            var list = samples[pair.Path];
            BenchResult.Print("publish", pair.Path, "cpu/msg", Quantile(list.Select(s => s.Publisher.CpuMicrosPerMessage / s.Plain.CpuMicrosPerMessage), 0.5), pair.Path == "fire-and-forget" ? "<=1.05" : null);
            BenchResult.Print("publish", pair.Path, "msgs/s", Quantile(list.Select(s => s.Publisher.MessagesPerSecond / s.Plain.MessagesPerSecond), 0.5));
        }
    }

    /// <summary>One measurement; its per-message figures are derived from the totals, so two can be added.</summary>
    private readonly record struct Sample(int Messages, TimeSpan Elapsed, TimeSpan Cpu, long Allocated, TimeSpan BrokerCpu, long WorkItems)
    {
        public double MessagesPerSecond => Messages / Elapsed.TotalSeconds;

        public double CpuMicrosPerMessage => Cpu.TotalMicroseconds / Messages;

        public double BytesPerMessage => Allocated / (double)Messages;

        public double BrokerCpuMicrosPerMessage => BrokerCpu.TotalMicroseconds / Messages;

        public double WorkItemsPerMessage => WorkItems / (double)Messages;

        public Sample Add(Sample other) =>
            new(Messages + other.Messages, Elapsed + other.Elapsed, Cpu + other.Cpu, Allocated + other.Allocated, BrokerCpu + other.BrokerCpu, WorkItems + other.WorkItems);
    }

    private sealed record Case(string Name, Action<int> Body);

    private sealed record PathPair(string Path, Case Publisher, Case Plain);

    /// <summary>
    /// Bounds fire-and-forget messages in flight (the same bound for both sides) and waits for the last to complete.
    /// Counting is one atomic per message; the producing thread blocks (without spinning, so it burns no CPU that would
    /// count as the client's) only when the bound is reached, until a quarter of it has drained.
    /// </summary>
    private sealed class InFlight(int limit)
    {
        private readonly object _gate = new();
        private int _outstanding;
        private int _wakeAt = -1;
        private int _completed;
        private int _failed;

        public int Completed => Volatile.Read(ref _completed);

        public void Enter()
        {
            if (Interlocked.Increment(ref _outstanding) > limit)
            {
                WaitUntilAtMost(limit * 3 / 4);
            }
        }

        public void Complete(bool succeeded)
        {
            if (!succeeded)
            {
                Interlocked.Increment(ref _failed);
            }

            Interlocked.Increment(ref _completed);
            if (Interlocked.Decrement(ref _outstanding) <= Volatile.Read(ref _wakeAt))
            {
                lock (_gate)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }

        public void WaitForAll()
        {
            WaitUntilAtMost(0);
            if (Volatile.Read(ref _failed) > 0)
            {
                throw new InvalidOperationException($"{_failed} messages failed.");
            }
        }

        private void WaitUntilAtMost(int outstanding)
        {
            lock (_gate)
            {
                // The exchange is a full fence: either a completion sees the threshold, or this read sees its decrement.
                Interlocked.Exchange(ref _wakeAt, outstanding);
                while (Volatile.Read(ref _outstanding) > outstanding)
                {
                    Monitor.Wait(_gate);
                }

                Volatile.Write(ref _wakeAt, -1);
            }
        }
    }
}

/// <summary>The benchmark's event: about 120 bytes of JSON.</summary>
[KafkaTopic("bench-publish")]
public sealed record BenchOrderPlaced(string OrderId, decimal Total, string CustomerId, string Currency, int Lines);

using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.Benchmarks.Utils;
using Samsa.Configuration;
using Samsa.Consuming;

namespace Samsa.Benchmarks.Consuming;

/// <summary>
/// Consume-and-handle throughput: a hosted <c>AddConsumer</c> worker with a no-op <see cref="IEventHandler{TEvent}"/>
/// of <c>byte[]</c> (the deserializer hands the value over without a copy) against a plain Confluent.Kafka consume loop,
/// in the same run, over the same pre-filled topic.
/// </summary>
/// <remarks>
/// <para>
/// <c>consume</c> mode (<see cref="Run"/>) starts Samsa.Broker (memory) in its own process through the samsa CLI, fills a
/// topic (6 partitions, 1,000,000 records of 100 B unless <c>--scale</c> says otherwise), then runs every case in a fresh
/// child process (<c>consume-run</c>, <see cref="RunOne"/>), cases interleaved over <c>--rounds</c> rounds, each in a new
/// group so it reads the topic from the start. A child measures from the first record it sees to the last one handled:
/// host start-up, the group join and the final commit and close are outside the window. Figures per case: messages per
/// second, client CPU µs per message (the child's process CPU time, every thread: librdkafka's, the poll thread, the
/// thread pool, GC) and allocated bytes per message (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, every thread).
/// </para>
/// <para>
/// The cases: the plain loop with librdkafka's defaults (auto commit, <c>fetch.queue.backoff.ms</c> 1000); the plain loop
/// with exactly the configuration Samsa's worker builds (<see cref="ConsumerClientConfigs.Consumer"/>: auto commit and
/// offset store off, <c>fetch.queue.backoff.ms</c> of <see cref="ConsumerDefaults.FetchQueueBackoffMs"/>, cooperative-sticky)
/// committing the handled offsets every <see cref="ConsumerDefaults.CommitInterval"/> as the worker does, which is the
/// like-for-like baseline; and the Samsa host.
/// </para>
/// <para>
/// The I/O-bound cases (not in the default list, as the plain one takes minutes at full scale; <c>--cases=</c>
/// <see cref="IoCases"/>): a handler that waits 50 µs on a <see cref="SimulatedIoDevice"/> per call, the same device
/// in every case (its thread's CPU is counted in every case alike): the plain loop with Samsa's configuration waiting
/// synchronously per record (the baseline), the host one record at a time per partition, the host with
/// <see cref="ConsumerOptions.MaxConcurrencyPerPartition"/> 16 (records of one key in order, different keys
/// concurrently: the fill gives every record a 4-byte key, <c>i % 4096</c>), and a batch consumer
/// (<see cref="IEventBatchHandler{TEvent}"/>, batches of up to 100) waiting once per batch as one bulk write would.
/// </para>
/// </remarks>
internal static class ConsumerBenchmarks
{
    private const string Topic = "bench-consume";
    private const int Partitions = 6;
    private const int ValueSize = 100;
    private const int KeyCount = 4096;
    private static readonly TimeSpan IoLatency = TimeSpan.FromMicroseconds(50);

    private static readonly string[] Cases = [PlainDefaults, PlainSamsaConfig, SamsaWorker, SamsaExactlyOnce, SamsaTelemetry, SamsaMetrics];

    private const string PlainDefaults = "plain-defaults";
    private const string PlainSamsaConfig = "plain-samsa-config";
    private const string SamsaWorker = "samsa";
    private const string SamsaExactlyOnce = "samsa-exactly-once";
    private const string SamsaTelemetry = "samsa-telemetry";
    private const string SamsaMetrics = "samsa-metrics";

    /// <summary>The I/O-bound cases, selected with <c>--cases</c>; <see cref="PlainIo"/> is their baseline.</summary>
    private static readonly string[] IoCases = [PlainIo, SamsaIo, SamsaKeyedIo, SamsaBatchIo];

    private const string PlainIo = "plain-50us";
    private const string SamsaIo = "samsa-50us";
    private const string SamsaKeyedIo = "samsa-keyed-50us";
    private const string SamsaBatchIo = "samsa-batch-50us";

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [PlainDefaults] = "plain Consume loop, librdkafka defaults (auto commit, fetch.queue.backoff.ms 1000)",
        [PlainSamsaConfig] = "plain Consume loop, Samsa's consumer config, explicit commit every 1 s",
        [SamsaWorker] = "AddConsumer<NoopHandler, byte[]> host",
        [SamsaExactlyOnce] = "the same host in exactly-once mode (offsets committed in a transaction every commit interval)",
        [SamsaTelemetry] = "the same at-least-once host with the OpenTelemetry SDK listening (every span sampled, metrics read every second, exported to nothing)",
        [SamsaMetrics] = "the same host with the SDK listening to metrics only (no tracer provider: no span is created)",
        [PlainIo] = "plain Consume loop, Samsa's consumer config, explicit commit every 1 s, blocking 50 µs on the simulated I/O device per record (device thread's CPU counted, as in every 50us case)",
        [SamsaIo] = "AddConsumer host, handler awaiting 50 µs on the simulated I/O device per record, one at a time per partition",
        [SamsaKeyedIo] = "the same host with MaxConcurrencyPerPartition 16 (per-key order, different keys concurrently)",
        [SamsaBatchIo] = "AddBatchConsumer host, MaxBatchSize 100, handler awaiting 50 µs on the simulated I/O device per batch",
    };

    /// <summary>"consume" mode: fills the topic, runs the cases in child processes, prints the table.</summary>
    public static int Run(string[] args)
    {
        var samsa = Option(args, "--samsa") ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "Samsa.Cli", "release", "samsa");
        var scale = Option(args, "--scale") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 1.0;
        var rounds = Option(args, "--rounds") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var only = Option(args, "--cases")?.Split(',') ?? Cases;
        var records = (int)(1_000_000 * scale);
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        using var broker = BrokerProcess.StartSamsa(samsa, null);
        Fill(broker.BootstrapServers, records);

        var samples = only.ToDictionary(c => c, _ => new List<Sample>(), StringComparer.Ordinal);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var name in only)
            {
                var brokerCpu = broker.CpuTime;
                var sample = RunChild(broker.BootstrapServers, name, records, $"bench-{name}-{round}-{Environment.TickCount64}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1} {name}: {sample.MessagesPerSecond:N0} msgs/s, {sample.CpuMicrosPerMessage:F2} µs/msg, {sample.BytesPerMessage:F0} B/msg (broker CPU whole run {(broker.CpuTime - brokerCpu).TotalSeconds:F1} s)"));
                samples[name].Add(sample);
            }
        }

        Print(only, samples, records, rounds);
        return 0;
    }

    /// <summary>"consume-run" mode: one case in this process; prints one <c>result</c> line.</summary>
    public static int RunOne(string[] args)
    {
        var bootstrap = Option(args, "--bootstrap") ?? throw new ArgumentException("--bootstrap is required");
        var name = Option(args, "--case") ?? throw new ArgumentException("--case is required");
        var records = int.Parse(Option(args, "--records") ?? throw new ArgumentException("--records is required"), CultureInfo.InvariantCulture);
        var group = Option(args, "--group") ?? throw new ArgumentException("--group is required");
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        if (IoCases.Contains(name))
        {
            return RunIoCase(bootstrap, name, records, group);
        }

        var window = name switch
        {
            PlainDefaults => ConsumePlain(DefaultConfig(bootstrap, group), records, commitLikeSamsa: false),
            PlainSamsaConfig => ConsumePlain(SamsaConfig(bootstrap, group), records, commitLikeSamsa: true),
            SamsaWorker => ConsumeWithHost(bootstrap, group, records, exactlyOnce: false),
            SamsaExactlyOnce => ConsumeWithHost(bootstrap, group, records, exactlyOnce: true),
            SamsaTelemetry => ConsumeWithTelemetry(bootstrap, group, records, traces: true),
            SamsaMetrics => ConsumeWithTelemetry(bootstrap, group, records, traces: false),
            _ => throw new ArgumentException($"Unknown case {name}; expected one of {string.Join(", ", Cases.Concat(IoCases))}."),
        };
        PrintWindow(window);
        return 0;
    }

    private static int RunIoCase(string bootstrap, string name, int records, string group)
    {
        using var device = new SimulatedIoDevice(IoLatency);
        var window = name switch
        {
            PlainIo => ConsumePlain(SamsaConfig(bootstrap, group), records, commitLikeSamsa: true, device),
            SamsaIo => ConsumeIoWithHost(bootstrap, group, records, device, options => { }),
            SamsaKeyedIo => ConsumeIoWithHost(bootstrap, group, records, device, options => options.MaxConcurrencyPerPartition = 16),
            SamsaBatchIo => ConsumeIoBatchWithHost(bootstrap, group, records, device),
            _ => throw new ArgumentException($"Unknown case {name}."),
        };
        PrintWindow(window);
        return 0;
    }

    private static void PrintWindow(Window window)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result {window.Seconds:R} {window.CpuSeconds:R} {window.Allocated} {window.Records}"));
        Console.WriteLine("threads " + string.Join('|', window.ThreadCpuSeconds.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value * 1e6 / window.Records:F3}"))));
    }

    /// <summary>librdkafka's defaults, with what any group consumer of this topic must say: the group and where to start.</summary>
    private static ConsumerConfig DefaultConfig(string bootstrap, string group) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
    };

    /// <summary>Exactly what Samsa's worker gives librdkafka in a Development host.</summary>
    private static ConsumerConfig SamsaConfig(string bootstrap, string group) => ConsumerClientConfigs.Consumer(
        new KafkaOptions { Profile = KafkaProfile.Development, BootstrapServers = [.. bootstrap.Split(',')] },
        new ConsumerOptions { Topic = Topic, GroupId = group });

    /// <summary>
    /// The share of the records consumed before the window opens, on every side alike: the JIT's tiering (tier 0,
    /// the instrumented tier, then tier 1) is still compiling the consume path in the first few hundred milliseconds,
    /// and a service runs for hours, so the comparison is between warmed-up consumers. A profile of a run measured from
    /// the first record showed the pipeline's methods still in their QuickJitted and instrumented forms.
    /// </summary>
    private const double WarmUpFraction = 0.2;

    private static int WarmUpRecords(int records) => Math.Max(0, (int)(records * WarmUpFraction));

    private static Window ConsumePlain(ConsumerConfig config, int records, bool commitLikeSamsa, SimulatedIoDevice? device = null)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Subscribe(Topic);
        var next = new long[Partitions];
        Array.Fill(next, -1);
        var commitEvery = Stopwatch.Frequency * ConsumerDefaults.CommitInterval.Ticks / TimeSpan.TicksPerSecond;
        var nextCommit = 0L;
        Snapshot start = default;
        var seen = 0;
        var limit = Stopwatch.StartNew();
        while (seen < records)
        {
            if (limit.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"Saw {seen} of {records} records in 5 minutes.");
            }

            var result = consumer.Consume(ConsumerDefaults.PollTimeout);
            if (result is null)
            {
                continue;
            }

            if (seen++ == WarmUpRecords(records))
            {
                start = Snapshot.Take();
                nextCommit = start.Timestamp + commitEvery;
            }

            device?.WaitAsync().GetAwaiter().GetResult();
            if (commitLikeSamsa)
            {
                next[result.Partition.Value] = result.Offset.Value + 1;
                if (Stopwatch.GetTimestamp() >= nextCommit)
                {
                    Commit(consumer, next);
                    nextCommit = Stopwatch.GetTimestamp() + commitEvery;
                }
            }
        }

        var end = Snapshot.Take();
        if (commitLikeSamsa)
        {
            Commit(consumer, next);
        }

        consumer.Close();
        return end.Since(start, records - WarmUpRecords(records));
    }

    private static void Commit(IConsumer<Ignore, byte[]> consumer, long[] next)
    {
        var offsets = new List<TopicPartitionOffset>(Partitions);
        for (var p = 0; p < next.Length; p++)
        {
            if (next[p] >= 0)
            {
                offsets.Add(new TopicPartitionOffset(Topic, p, next[p]));
            }
        }

        if (offsets.Count > 0)
        {
            consumer.Commit(offsets);
        }
    }

    /// <summary>The at-least-once host while the SDK listens: the cost issue 9 bounds at +3% CPU per message.</summary>
    private static Window ConsumeWithTelemetry(string bootstrap, string group, int records, bool traces)
    {
        using var telemetry = NoopTelemetry.Start(traces);
        return ConsumeWithHost(bootstrap, group, records, exactlyOnce: false);
    }

    private static Window ConsumeWithHost(string bootstrap, string group, int records, bool exactlyOnce)
    {
        var handler = new NoopHandler(records);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Development",
            ApplicationName = "consume-bench",
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("Kafka:BootstrapServers", bootstrap)]);
        builder.Services.AddSingleton(handler);
        builder.AddSamsaKafka().AddConsumer<NoopHandler, byte[]>(Topic, group, options => options.ExactlyOnce = exactlyOnce);
        using var host = builder.Build();
        host.Start();
        if (!handler.Done.Wait(TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"Handled {handler.Handled} of {records} records in 5 minutes.");
        }

        host.StopAsync().GetAwaiter().GetResult();
        return handler.End.Since(handler.Start, records - handler.HandledAtStart);
    }

    private static Window ConsumeIoWithHost(string bootstrap, string group, int records, SimulatedIoDevice device, Action<ConsumerOptions> configure)
    {
        var handler = new IoHandler(device, new HandledCounter(records, Partitions));
        using var host = BuildHost(bootstrap, services => services.AddSingleton(handler), kafka => kafka.AddConsumer<IoHandler, byte[]>(Topic, group, configure));
        return RunHost(host, handler.Counter, records);
    }

    private static Window ConsumeIoBatchWithHost(string bootstrap, string group, int records, SimulatedIoDevice device)
    {
        var handler = new IoBatchHandler(device, new HandledCounter(records, Partitions));
        using var host = BuildHost(bootstrap, services => services.AddSingleton(handler), kafka => kafka.AddBatchConsumer<IoBatchHandler, byte[]>(Topic, group, options => options.MaxBatchSize = 100));
        return RunHost(host, handler.Counter, records);
    }

    private static IHost BuildHost(string bootstrap, Action<IServiceCollection> services, Action<Samsa.DependencyInjection.SamsaKafkaBuilder> kafka)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Development",
            ApplicationName = "consume-bench",
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("Kafka:BootstrapServers", bootstrap)]);
        services(builder.Services);
        kafka(builder.AddSamsaKafka());
        return builder.Build();
    }

    private static Window RunHost(IHost host, HandledCounter counter, int records)
    {
        host.Start();
        if (!counter.Done.Wait(TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"Handled {counter.Handled} of {records} records in 5 minutes.");
        }

        host.StopAsync().GetAwaiter().GetResult();
        return counter.End.Since(counter.Start, records);
    }

    private static void Fill(string bootstrap, int records)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = 1 }]).GetAwaiter().GetResult();
        }

        var value = new byte[ValueSize];
        Random.Shared.NextBytes(value);
        var clock = Stopwatch.StartNew();
        var keys = Enumerable.Range(0, KeyCount).Select(k => BitConverter.GetBytes(k)).ToArray();
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.Leader,
            EnableIdempotence = false,
            BatchSize = 256 * 1024,
            LingerMs = 20,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        var message = new Message<byte[], byte[]> { Value = value };
        var failed = 0;
        Action<DeliveryReport<byte[], byte[]>> report = r =>
        {
            if (r.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        };
        for (var i = 0; i < records; i++)
        {
            var partition = new TopicPartition(Topic, i % Partitions);
            message.Key = keys[i % KeyCount]; // serialized (copied) by Produce
            while (true)
            {
                try
                {
                    producer.Produce(partition, message, report);
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(5));
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} records of the fill failed.");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"filled {Topic}: {records:N0} records of {ValueSize} B (4-byte keys, {KeyCount} distinct) over {Partitions} partitions in {clock.Elapsed.TotalSeconds:F1} s"));
    }

    private static Sample RunChild(string bootstrap, string name, int records, string group)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ConsumerBenchmarks).Assembly.Location);
        }

        foreach (var argument in new[] { "consume-run", $"--bootstrap={bootstrap}", $"--case={name}", $"--records={records}", $"--group={group}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("result ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{name} printed no result (exit {child.ExitCode}):\n{output}");
        var fields = line.Split(' ');
        var seconds = double.Parse(fields[1], CultureInfo.InvariantCulture);
        var cpu = double.Parse(fields[2], CultureInfo.InvariantCulture);
        var allocated = long.Parse(fields[3], CultureInfo.InvariantCulture);
        var measured = long.Parse(fields[4], CultureInfo.InvariantCulture);
        var threads = output.Split('\n').FirstOrDefault(l => l.StartsWith("threads ", StringComparison.Ordinal))?["threads ".Length..].Trim()
            .Split('|', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture), StringComparer.Ordinal) ?? [];
        return new Sample(measured / seconds, cpu * 1e6 / measured, allocated / (double)measured, threads);
    }

    private static void Print(string[] cases, Dictionary<string, List<Sample>> samples, int records, int rounds)
    {
        var medians = cases.ToDictionary(c => c, c => Median(samples[c]), StringComparer.Ordinal);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Consume and handle, {records:N0} records of {ValueSize} B over {Partitions} partitions (no-op cases measured after the first {WarmUpFraction:P0}), median of {rounds} interleaved rounds, each case in a fresh process, {Environment.ProcessorCount} cores, broker in its own process"));
        Console.WriteLine("| case | msgs/s | client CPU µs/msg | allocated B/msg | runs (msgs/s) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var name in cases)
        {
            var m = medians[name];
            var runs = string.Join(", ", samples[name].Select(s => s.MessagesPerSecond.ToString("N0", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Descriptions[name]} | {m.MessagesPerSecond:N0} | {m.CpuMicrosPerMessage:F2} | {m.BytesPerMessage:F0} | {runs} |"));
        }

        PrintThreadGroups(cases, medians);
        PrintExactlyOnceCost(medians);
        PrintTelemetryCost(medians);
        PrintIoRatios(medians);
        if (!medians.TryGetValue(SamsaWorker, out var subject))
        {
            return;
        }

        Console.WriteLine();
        foreach (var baseline in new[] { PlainSamsaConfig, PlainDefaults }.Where(medians.ContainsKey))
        {
            var b = medians[baseline];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"samsa / {baseline}: msgs/s {subject.MessagesPerSecond / b.MessagesPerSecond:F3} (goal ≥ 1.00), CPU/msg {subject.CpuMicrosPerMessage / b.CpuMicrosPerMessage:F3} (goal ≤ 1.10), allocated {subject.BytesPerMessage - b.BytesPerMessage:+0;-0} B/msg"));
            BenchResult.Print("consume", $"samsa/{baseline}", "msgs/s", subject.MessagesPerSecond / b.MessagesPerSecond, baseline == PlainSamsaConfig ? ">=1.00" : null);
            BenchResult.Print("consume", $"samsa/{baseline}", "cpu/msg", subject.CpuMicrosPerMessage / b.CpuMicrosPerMessage, baseline == PlainSamsaConfig ? "<=1.10" : null);
        }
    }

    /// <summary>Where each case's CPU per message goes, by thread group (each group's median over the rounds).</summary>
    private static void PrintThreadGroups(string[] cases, Dictionary<string, Sample> medians)
    {
        var groups = cases.SelectMany(c => medians[c].ThreadCpuMicrosPerMessage.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (groups.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("Client CPU µs per message by thread group (each group's median over the rounds; /proc/self/task, 10 ms ticks):");
        Console.WriteLine("| case | " + string.Join(" | ", groups) + " |");
        Console.WriteLine("|---|" + string.Concat(groups.Select(_ => "---|")));
        foreach (var name in cases)
        {
            var split = medians[name].ThreadCpuMicrosPerMessage;
            Console.WriteLine($"| {name} | " + string.Join(" | ", groups.Select(g => split.GetValueOrDefault(g).ToString("F3", CultureInfo.InvariantCulture))) + " |");
        }
    }

    private static void PrintExactlyOnceCost(Dictionary<string, Sample> medians)
    {
        if (medians.TryGetValue(SamsaExactlyOnce, out var exactlyOnce) && medians.TryGetValue(SamsaWorker, out var atLeastOnce))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{SamsaExactlyOnce} / {SamsaWorker}: msgs/s {exactlyOnce.MessagesPerSecond / atLeastOnce.MessagesPerSecond:F3}, CPU/msg {exactlyOnce.CpuMicrosPerMessage / atLeastOnce.CpuMicrosPerMessage:F3}, allocated {exactlyOnce.BytesPerMessage - atLeastOnce.BytesPerMessage:+0;-0} B/msg"));
            BenchResult.Print("consume", $"{SamsaExactlyOnce}/{SamsaWorker}", "msgs/s", exactlyOnce.MessagesPerSecond / atLeastOnce.MessagesPerSecond, ">=0.80");
        }
    }

    private static void PrintTelemetryCost(Dictionary<string, Sample> medians)
    {
        if (!medians.TryGetValue(SamsaWorker, out var silent))
        {
            return;
        }

        foreach (var name in new[] { SamsaTelemetry, SamsaMetrics })
        {
            if (medians.TryGetValue(name, out var listening))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name} / {SamsaWorker}: msgs/s {listening.MessagesPerSecond / silent.MessagesPerSecond:F3}, CPU/msg {listening.CpuMicrosPerMessage / silent.CpuMicrosPerMessage:F3} (goal ≤ 1.03), allocated {listening.BytesPerMessage - silent.BytesPerMessage:+0;-0} B/msg"));
                BenchResult.Print("consume", $"{name}/{SamsaWorker}", "cpu/msg", listening.CpuMicrosPerMessage / silent.CpuMicrosPerMessage, "<=1.03");
            }
        }
    }

    private static void PrintIoRatios(Dictionary<string, Sample> medians)
    {
        if (!medians.TryGetValue(PlainIo, out var plain))
        {
            return;
        }

        Console.WriteLine();
        foreach (var name in new[] { SamsaIo, SamsaKeyedIo, SamsaBatchIo }.Where(medians.ContainsKey))
        {
            var m = medians[name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} / {PlainIo}: msgs/s {m.MessagesPerSecond / plain.MessagesPerSecond:F3}, CPU/msg {m.CpuMicrosPerMessage / plain.CpuMicrosPerMessage:F3}, allocated {m.BytesPerMessage - plain.BytesPerMessage:+0;-0} B/msg"));
            BenchResult.Print("consume", $"{name}/{PlainIo}", "msgs/s", m.MessagesPerSecond / plain.MessagesPerSecond);
        }
    }

    private static Sample Median(List<Sample> samples)
    {
        static double Mid(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var groups = samples.SelectMany(s => s.ThreadCpuMicrosPerMessage.Keys).Distinct(StringComparer.Ordinal);
        return new Sample(
            Mid(samples.Select(s => s.MessagesPerSecond)),
            Mid(samples.Select(s => s.CpuMicrosPerMessage)),
            Mid(samples.Select(s => s.BytesPerMessage)),
            groups.ToDictionary(g => g, g => Mid(samples.Select(s => s.ThreadCpuMicrosPerMessage.GetValueOrDefault(g))), StringComparer.Ordinal));
    }

    private static string? Option(string[] args, string name) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    /// <summary>One case's run; <paramref name="ThreadCpuMicrosPerMessage"/> splits its CPU per message by thread group.</summary>
    private readonly record struct Sample(double MessagesPerSecond, double CpuMicrosPerMessage, double BytesPerMessage, Dictionary<string, double> ThreadCpuMicrosPerMessage);

    /// <summary>The measured window: wall seconds, process CPU seconds, bytes allocated.</summary>
    internal readonly record struct Window(double Seconds, double CpuSeconds, long Allocated, long Records, Dictionary<string, double> ThreadCpuSeconds);

    /// <summary>The clock, this process's CPU time and its allocated bytes at one moment.</summary>
    internal readonly record struct Snapshot(long Timestamp, TimeSpan Cpu, long Allocated, Dictionary<string, TimeSpan> Threads)
    {
        public static Snapshot Take()
        {
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            return new Snapshot(Stopwatch.GetTimestamp(), ProcessStats.CpuTime(Environment.ProcessId), allocated, ProcessStats.CpuTimeByThreadGroup());
        }

        /// <summary>The window from <paramref name="start"/> to this snapshot, in which <paramref name="records"/> records were handled.</summary>
        public Window Since(Snapshot start, long records) => new(
            Stopwatch.GetElapsedTime(start.Timestamp, Timestamp).TotalSeconds,
            (Cpu - start.Cpu).TotalSeconds,
            Allocated - start.Allocated,
            records,
            Threads.ToDictionary(pair => pair.Key, pair => (pair.Value - start.Threads.GetValueOrDefault(pair.Key)).TotalSeconds, StringComparer.Ordinal));
    }

    /// <summary>
    /// Counts records and does nothing else; opens the window once every partition has handled its share of the warm-up
    /// (<see cref="WarmUpFraction"/>) and closes it at the last record. Counts per partition
    /// (a partition's records are handled one at a time), so no shared counter is contended per record: the plain loop's
    /// counter is a local too.
    /// </summary>
    internal sealed class NoopHandler : IEventHandler<byte[]>
    {
        private const int Stride = 16; // one cache line per partition's counter

        private readonly int[] _expected;
        private readonly int[] _warmUp;
        private readonly long[] _handled = new long[Partitions * Stride];
        private int _warming = Partitions;
        private int _unfinished = Partitions;

        public NoopHandler(int records)
        {
            _expected = [.. Enumerable.Range(0, Partitions).Select(p => (records / Partitions) + (p < records % Partitions ? 1 : 0))];
            _warmUp = [.. _expected.Select(expected => Math.Max(1, (int)(expected * WarmUpFraction)))];
        }

        /// <summary>Records handled when the window opened (every partition past its share of the warm-up).</summary>
        public long HandledAtStart { get; private set; }

        public ManualResetEventSlim Done { get; } = new();

        public Snapshot Start { get; private set; }

        public Snapshot End { get; private set; }

        public long Handled => Enumerable.Range(0, Partitions).Sum(p => Volatile.Read(ref _handled[p * Stride]));

        public ValueTask HandleAsync(byte[] @event, ConsumeContext context, CancellationToken cancellationToken)
        {
            var partition = context.Partition;
            ref var count = ref _handled[partition * Stride];
            var handled = count + 1;
            Volatile.Write(ref count, handled);
            if (handled == _warmUp[partition] && Interlocked.Decrement(ref _warming) == 0)
            {
                HandledAtStart = Handled;
                Start = Snapshot.Take();
            }

            if (handled == _expected[partition] && Interlocked.Decrement(ref _unfinished) == 0)
            {
                End = Snapshot.Take();
                Done.Set();
            }

            return ValueTask.CompletedTask;
        }
    }
}

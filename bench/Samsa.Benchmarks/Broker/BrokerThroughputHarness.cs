using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Benchmarks.Utils;

namespace Samsa.Benchmarks.Broker;

/// <summary>
/// "broker-throughput" mode: Confluent.Kafka produce and consume throughput (acks=all, 32 KiB batches,
/// 100 B and 1 KiB values) against Samsa.Broker (in memory and on disk) and, in the same run,
/// against librdkafka's mock cluster as the baseline; plus each broker's CPU (cores and µs per
/// message) and Samsa.Broker's resident memory after writing 1 GiB to disk. Each broker runs in its
/// own process so its CPU is measured apart from the client's.
/// </summary>
internal static class BrokerThroughputHarness
{
    private sealed record Row(string Broker, string Phase, int ValueSize, int Messages, double Seconds, double BrokerCpuSeconds)
    {
        public double MessagesPerSecond => Messages / Seconds;

        public double MegabytesPerSecond => Messages * (double)ValueSize / Seconds / (1024 * 1024);

        public double BrokerCores => BrokerCpuSeconds / Seconds;

        public double BrokerMicrosPerMessage => BrokerCpuSeconds * 1e6 / Messages;
    }

    public static int Run(string[] args)
    {
        var samsa = args.FirstOrDefault(a => a.StartsWith("--samsa=", StringComparison.Ordinal))?["--samsa=".Length..]
            ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "Samsa.Cli", "release", "samsa");
        var scale = args.FirstOrDefault(a => a.StartsWith("--scale=", StringComparison.Ordinal)) is { } s ? double.Parse(s["--scale=".Length..], CultureInfo.InvariantCulture) : 1.0;
        // --sizes=1024 and --brokers=mock,disk narrow a run while iterating; the defaults run everything.
        var sizes = Option(args, "--sizes=")?.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() ?? [100, 1024];
        var brokers = Option(args, "--brokers=")?.Split(',') ?? ["mock", "memory", "disk", "rss"];
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        var rows = new List<Row>();
        foreach (var valueSize in sizes)
        {
            var messages = (int)((valueSize == 100 ? 1_000_000 : 300_000) * scale);
            using (var mock = BrokerProcess.StartMock())
            {
                rows.AddRange(Measure("librdkafka mock", mock, valueSize, messages));
            }

            if (brokers.Contains("memory"))
            {
                using var memory = BrokerProcess.StartSamsa(samsa, null);
                rows.AddRange(Measure("Samsa (memory)", memory, valueSize, messages));
            }

            if (!brokers.Contains("disk"))
            {
                continue;
            }

            var dir = Directory.CreateTempSubdirectory("samsa-bench-");
            try
            {
                using var disk = BrokerProcess.StartSamsa(samsa, dir.FullName);
                rows.AddRange(Measure("Samsa (disk)", disk, valueSize, messages));
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        Print(rows);
        if (brokers.Contains("rss"))
        {
            MeasureResidentMemory(samsa, (long)(1024L * 1024 * 1024 * Math.Min(1.0, scale)));
        }

        return 0;
    }

    private static string? Option(string[] args, string prefix) =>
        args.FirstOrDefault(a => a.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];

    private static IEnumerable<Row> Measure(string name, BrokerProcess broker, int valueSize, int messages)
    {
        var topic = $"bench-{valueSize}";
        int partitions;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            try
            {
                admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 3, ReplicationFactor = 1 }]).GetAwaiter().GetResult();
            }
            catch (KafkaException)
            {
                // The mock cluster has no controller for CreateTopics; it creates topics on first use.
            }

            partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count;
        }

        var value = new byte[valueSize];
        Random.Shared.NextBytes(value);
        var producerConfig = new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = false,
            BatchSize = 32 * 1024,
            LingerMs = 5,
            QueueBufferingMaxMessages = 1_000_000,
        };
        var cpuBefore = broker.CpuTime;
        var clock = Stopwatch.StartNew();
        using (var producer = new ProducerBuilder<Null, byte[]>(producerConfig).Build())
        {
            var message = new Message<Null, byte[]> { Value = value };
            for (var i = 0; i < messages; i++)
            {
                while (true)
                {
                    try
                    {
                        producer.Produce(topic, message);
                        break;
                    }
                    catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                }
            }

            producer.Flush(TimeSpan.FromMinutes(5));
        }

        var produceSeconds = clock.Elapsed.TotalSeconds;
        var produceCpu = (broker.CpuTime - cpuBefore).TotalSeconds;
        yield return new Row(name, "produce", valueSize, messages, produceSeconds, produceCpu);

        // Consume what the broker kept (librdkafka's mock keeps only the newest ~5 MB per partition),
        // until every partition reports its end; the rate is over what was read.
        cpuBefore = broker.CpuTime;
        clock.Restart();
        var received = 0;
        using (var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "bench",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 100,
        }).Build())
        {
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var finished = new HashSet<int>();
            while (finished.Count < partitions && clock.Elapsed < TimeSpan.FromMinutes(5))
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result is null)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    finished.Add(result.Partition.Value);
                }
                else
                {
                    received++;
                }
            }
        }

        yield return new Row(name, "consume", valueSize, received, clock.Elapsed.TotalSeconds, (broker.CpuTime - cpuBefore).TotalSeconds);
    }

    private static void MeasureResidentMemory(string samsa, long bytes)
    {
        var dir = Directory.CreateTempSubdirectory("samsa-rss-");
        try
        {
            using var broker = BrokerProcess.StartSamsa(samsa, dir.FullName);
            var before = broker.ResidentBytes;
            const int valueSize = 64 * 1024;
            var count = (int)(bytes / valueSize);
            _ = Measure("Samsa (disk, 1 GiB)", broker, valueSize, count).First();
            var after = broker.ResidentBytes;
            Console.WriteLine();
            Console.WriteLine($"Samsa.Broker resident memory: {before / (1024.0 * 1024):F0} MiB at start, {after / (1024.0 * 1024):F0} MiB after writing {count * (long)valueSize / (1024.0 * 1024 * 1024):F2} GiB to disk.");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void Print(List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| broker | phase | value | msgs/s | MB/s | ratio vs mock | broker cores | broker µs/msg | µs/msg vs mock |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var baseline = rows.First(r => r.Broker == "librdkafka mock" && r.Phase == row.Phase && r.ValueSize == row.ValueSize);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Broker} | {row.Phase} | {row.ValueSize} B | {row.MessagesPerSecond:N0} | {row.MegabytesPerSecond:F1} | {row.MessagesPerSecond / baseline.MessagesPerSecond:F2} | {row.BrokerCores:F2} | {row.BrokerMicrosPerMessage:F2} | {row.BrokerMicrosPerMessage / baseline.BrokerMicrosPerMessage:F2} |"));
        }

        Console.WriteLine();
        foreach (var row in rows.Where(r => r.Broker != "librdkafka mock"))
        {
            var baseline = rows.First(r => r.Broker == "librdkafka mock" && r.Phase == row.Phase && r.ValueSize == row.ValueSize);
            var name = $"{row.Broker.Replace("Samsa (", "samsa-", StringComparison.Ordinal).TrimEnd(')')}-{row.Phase}-{row.ValueSize}B";
            var (rateTarget, cpuTarget) = Targets(row);
            BenchResult.Print("broker-throughput", name, "msgs/s", row.MessagesPerSecond / baseline.MessagesPerSecond, rateTarget);
            BenchResult.Print("broker-throughput", name, "broker-cpu/msg", row.BrokerMicrosPerMessage / baseline.BrokerMicrosPerMessage, cpuTarget);
        }
    }

    /// <summary>
    /// The goals the broker is held to against librdkafka's mock cluster: producing, at least its throughput, at no
    /// more CPU per message on disk and at most 1.2 times in memory; consuming, at most twice its CPU per message.
    /// </summary>
    private static (string? Rate, string? Cpu) Targets(Row row) => row.Phase switch
    {
        "produce" when row.Broker.Contains("disk", StringComparison.Ordinal) => (">=1.00", "<=1.00"),
        "produce" => (">=1.00", "<=1.20"),
        "consume" => (null, "<=2.00"),
        _ => (null, null),
    };
}

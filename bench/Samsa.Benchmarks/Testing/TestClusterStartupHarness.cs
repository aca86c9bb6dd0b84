using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Samsa.Testing;

namespace Samsa.Benchmarks.Testing;

/// <summary>
/// "test-cluster" mode: how long a test waits for a usable <see cref="KafkaTestCluster"/>: from
/// <c>StartAsync</c> to the first produce acknowledged by a new Confluent.Kafka producer, for 1 and 3
/// nodes, in memory and on disk; and how long <see cref="KafkaTestCluster.ResetAsync"/> takes after a
/// test that made 10 topics and a group. The baseline, in the same run, is librdkafka's own mock
/// cluster (<c>test.mock.num.brokers</c>) to its first acknowledged produce. The first start pays
/// for JIT and is reported apart; the other figures are medians and 90th percentiles of warm runs.
/// </summary>
internal static class TestClusterStartupHarness
{
    public static int Run(string[] args)
    {
        var runs = args.FirstOrDefault(a => a.StartsWith("--runs=", StringComparison.Ordinal)) is { } r ? int.Parse(r["--runs=".Length..], CultureInfo.InvariantCulture) : 20;
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        var cold = MeasureStart(1, KafkaTestStorage.Memory).GetAwaiter().GetResult();
        Console.WriteLine($"first start in the process (JIT included), 1 node, memory: started {Ms(cold.Started)}, first ack {Ms(cold.FirstAck)}");
        Console.WriteLine();
        Console.WriteLine($"{"case",-34} {"started p50",12} {"p90",8} {"first ack p50",14} {"p90",8} {"vs mock",8}");
        var mock = Enumerable.Range(0, runs).Select(_ => MeasureMock()).ToList();
        var mockMedian = Percentile(mock, 0.5);
        Console.WriteLine($"{"librdkafka mock cluster (baseline)",-34} {"",12} {"",8} {Ms(mockMedian),14} {Ms(Percentile(mock, 0.9)),8} {"1.00",8}");
        var results = new List<(string Case, double Ratio)>();
        foreach (var (nodes, storage) in new[] { (1, KafkaTestStorage.Memory), (3, KafkaTestStorage.Memory), (1, KafkaTestStorage.Disk), (3, KafkaTestStorage.Disk) })
        {
            var samples = Enumerable.Range(0, runs).Select(_ => MeasureStart(nodes, storage).GetAwaiter().GetResult()).ToList();
            var started = samples.Select(s => s.Started).ToList();
            var acked = samples.Select(s => s.FirstAck).ToList();
            var ratio = Percentile(acked, 0.5) / mockMedian;
            Console.WriteLine($"{$"Samsa.Testing, {nodes} node(s), {storage.ToString().ToLowerInvariant()}",-34} {Ms(Percentile(started, 0.5)),12} {Ms(Percentile(started, 0.9)),8} {Ms(Percentile(acked, 0.5)),14} {Ms(Percentile(acked, 0.9)),8} {ratio.ToString("0.00", CultureInfo.InvariantCulture),8}");
            results.Add(($"{nodes}-node-{storage.ToString().ToLowerInvariant()}", ratio));
        }

        var resets = MeasureResets(runs).GetAwaiter().GetResult();
        Console.WriteLine($"{"ResetAsync (10 topics, 1 group)",-34} {"",12} {"",8} {Ms(Percentile(resets, 0.5)),14} {Ms(Percentile(resets, 0.9)),8}");
        Console.WriteLine();
        foreach (var (name, ratio) in results)
        {
            Samsa.Benchmarks.Utils.BenchResult.Print("test-cluster", name, "first-ack-p50", ratio);
        }
        return 0;
    }

    private static async Task<(TimeSpan Started, TimeSpan FirstAck)> MeasureStart(int nodes, KafkaTestStorage storage)
    {
        var clock = Stopwatch.StartNew();
        await using var kafka = await KafkaTestCluster.StartAsync(o => { o.Nodes = nodes; o.Storage = storage; });
        var started = clock.Elapsed;
        using var producer = new ProducerBuilder<Null, string>(kafka.ProducerConfig(c => c.LingerMs = 0)).Build();
        await producer.ProduceAsync("first", new Message<Null, string> { Value = "x" });
        return (started, clock.Elapsed);
    }

    private static TimeSpan MeasureMock()
    {
        var clock = Stopwatch.StartNew();
        var config = new ProducerConfig { LingerMs = 0, Acks = Acks.All };
        config.Set("test.mock.num.brokers", "1");
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        producer.ProduceAsync("first", new Message<Null, string> { Value = "x" }).GetAwaiter().GetResult();
        return clock.Elapsed;
    }

    private static async Task<List<TimeSpan>> MeasureResets(int runs)
    {
        await using var kafka = await KafkaTestCluster.StartAsync();
        var times = new List<TimeSpan>();
        for (var run = 0; run < runs; run++)
        {
            for (var i = 0; i < 10; i++)
            {
                await kafka.CreateTopicAsync($"topic-{run}-{i}", partitions: 3);
            }

            using (var consumer = new ConsumerBuilder<Ignore, Ignore>(kafka.ConsumerConfig($"group-{run}")).Build())
            {
                consumer.Commit([new TopicPartitionOffset($"topic-{run}-0", 0, 1)]);
            }

            var clock = Stopwatch.StartNew();
            await kafka.ResetAsync();
            times.Add(clock.Elapsed);
        }

        return times;
    }

    private static TimeSpan Percentile(List<TimeSpan> samples, double p)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.Benchmarks.Utils;
using Samsa.Configuration;
using Samsa.Consuming;
using Samsa.Publishing;

namespace Samsa.Benchmarks.EndToEnd;

/// <summary>
/// "end-to-end" mode: the latency from publish to handler at a fixed rate, through Samsa (<see cref="IEventPublisher"/>
/// fire-and-forget → an <c>AddConsumer</c> worker's handler) against a raw Confluent.Kafka producer and consume loop with
/// the same settings, in the same process and run.
/// </summary>
/// <remarks>
/// <para>
/// The broker (Samsa.Broker through the samsa CLI, in memory) runs in its own process. Each side has its own topic (3
/// partitions, 64 keys). The publishing thread paces messages at <c>--rate</c> per second (every millisecond it sends what
/// is due), stamping each event with <see cref="Stopwatch.GetTimestamp"/> just before handing it over (serialization is
/// after the stamp on both sides); the handler (or the raw loop, after deserializing the same JSON) takes the clock again,
/// and the difference is the latency. Both sides: the Development profile's producer (acks=all, linger 5 ms, 32 KiB
/// batches) with the publisher's delivery report fields, the same key, value, five standard headers and CreateTime; the
/// consumer configuration the worker builds (<see cref="ConsumerClientConfigs.Consumer"/>), the raw loop committing
/// handled offsets every <see cref="ConsumerDefaults.CommitInterval"/> as the worker does.
/// </para>
/// <para>
/// First each side runs <c>--warmup</c> seconds at the rate, not counted. Then per round, each side (the first alternating
/// between rounds) sends a lead-in of up to 0.5 s that is not counted, then <c>--seconds</c> seconds that are; the round
/// ends when every counted message was handled. Reported:
/// p50, p99 and p99.9 over every counted message of a side, and the verdict, the median of per-round Samsa/raw p99 ratios
/// (goal ≤ 1.10).
/// </para>
/// </remarks>
internal static class EndToEndHarness
{
    private const string Suite = "end-to-end";
    private const int Partitions = 3;
    private const int Keys = 64;
    private const string SamsaTopic = "bench-e2e-samsa";
    private const string RawTopic = "bench-e2e-raw";
    private const long Probe = -1;
    private const long Uncounted = -2;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly byte[] EventTypeBytes = Encoding.UTF8.GetBytes(typeof(LatencyEvent).FullName!);
    private static readonly byte[] ContentTypeBytes = Encoding.UTF8.GetBytes(PublisherDefaults.JsonContentType);

    public static int Run(string[] args)
    {
        var samsa = Option(args, "--samsa") ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "Samsa.Cli", "release", "samsa");
        var rate = Option(args, "--rate") is { } r ? double.Parse(r, CultureInfo.InvariantCulture) : 10_000;
        var seconds = Option(args, "--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 5;
        var warmup = Option(args, "--warmup") is { } w ? double.Parse(w, CultureInfo.InvariantCulture) : 2;
        var rounds = Option(args, "--rounds") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 3;
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        using var broker = BrokerProcess.StartSamsa(samsa, null);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            admin.CreateTopicsAsync([
                new TopicSpecification { Name = SamsaTopic, NumPartitions = Partitions, ReplicationFactor = 1 },
                new TopicSpecification { Name = RawTopic, NumPartitions = Partitions, ReplicationFactor = 1 },
            ]).GetAwaiter().GetResult();
        }

        using var samsaSide = new SamsaSide(broker.BootstrapServers);
        using var rawSide = new RawSide(broker.BootstrapServers);
        var sides = new ISide[] { samsaSide, rawSide };
        foreach (var side in sides)
        {
            WaitUntilFlowing(side);
        }

        // Warm-up: each side at the full rate for --warmup seconds, not counted (JIT, thread-pool growth, batching settle).
        foreach (var side in sides)
        {
            var (_, warmedAt) = MeasureOne(side, rate, 0, (int)(rate * warmup));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{side.Name}: warmed up, {warmup:F1} s at {warmedAt:N0} msgs/s"));
        }

        // Each round's side starts with a lead-in that is not counted either, so it measures a flowing pipeline.
        var counted = (int)(rate * seconds);
        var uncounted = (int)(rate * Math.Min(warmup, 0.5));
        var all = sides.ToDictionary(side => side.Name, _ => new List<long>(), StringComparer.Ordinal);
        var p99Ratios = new List<double>();
        var p50Ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? sides : [.. sides.Reverse()];
            var results = new Dictionary<string, long[]>(StringComparer.Ordinal);
            foreach (var side in order)
            {
                var (latencies, achieved) = MeasureOne(side, rate, uncounted, counted);
                results[side.Name] = latencies;
                all[side.Name].AddRange(latencies);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1} {side.Name}: sent {achieved:N0}/s; p50 {Ms(Percentile(latencies, 0.5))} p99 {Ms(Percentile(latencies, 0.99))} p99.9 {Ms(Percentile(latencies, 0.999))} ms"));
            }

            p99Ratios.Add(Percentile(results[samsaSide.Name], 0.99) / (double)Percentile(results[rawSide.Name], 0.99));
            p50Ratios.Add(Percentile(results[samsaSide.Name], 0.5) / (double)Percentile(results[rawSide.Name], 0.5));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"End to end, publish to handler, {rate:N0} msgs/s for {seconds:F1} s per side per round (after a {Math.Min(warmup, 0.5):F1} s lead-in not counted; {warmup:F1} s warm-up per side first), {rounds} rounds alternating which side goes first, {Partitions} partitions, {Environment.ProcessorCount} cores, broker in its own process"));
        Console.WriteLine("| side | messages | p50 ms | p99 ms | p99.9 ms | max ms |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var side in sides)
        {
            var list = all[side.Name].ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {side.Name} | {list.Length:N0} | {Ms(Percentile(list, 0.5))} | {Ms(Percentile(list, 0.99))} | {Ms(Percentile(list, 0.999))} | {Ms(list.Max())} |"));
        }

        var p99 = Median(p99Ratios);
        var pooled = all.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Samsa/raw p99: median of rounds {p99:F3} (min–max {p99Ratios.Min():F3}–{p99Ratios.Max():F3}; goal ≤ 1.10: {(p99 <= 1.10 ? "met" : "missed")}); p50 {Median(p50Ratios):F3}; p99.9 over all rounds {Percentile(pooled[samsaSide.Name], 0.999) / (double)Percentile(pooled[rawSide.Name], 0.999):F3}"));
        BenchResult.Print(Suite, $"{rate:F0}-msgs/s", "p99-latency", p99, "<=1.10");
        BenchResult.Print(Suite, $"{rate:F0}-msgs/s", "p50-latency", Median(p50Ratios));
        BenchResult.Print(Suite, $"{rate:F0}-msgs/s", "p99.9-latency", Percentile(pooled[samsaSide.Name], 0.999) / (double)Percentile(pooled[rawSide.Name], 0.999));
        return 0;
    }

    /// <summary>Sends probes until the side's handler sees one: its consumer holds its partitions and the pipeline is warm.</summary>
    private static void WaitUntilFlowing(ISide side)
    {
        side.Recorder.Reset(0);
        var clock = Stopwatch.StartNew();
        while (!side.Recorder.ProbeSeen)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"{side.Name}: no probe reached the handler within 60 s.");
            }

            side.Send(Probe, 0);
            Thread.Sleep(100);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{side.Name}: first probe handled after {clock.Elapsed.TotalSeconds:F1} s"));
    }

    private static (long[] Latencies, double Achieved) MeasureOne(ISide side, double rate, int uncounted, int counted)
    {
        side.Recorder.Reset(counted);
        var total = uncounted + counted;
        var start = Stopwatch.GetTimestamp();
        var sent = 0;
        while (sent < total)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            while (sent < due)
            {
                side.Send(sent < uncounted ? Uncounted : sent - uncounted, sent % Keys);
                sent++;
            }

            if (sent < total)
            {
                Thread.Sleep(1);
            }
        }

        var achieved = total / Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (!side.Recorder.Done.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"{side.Name}: {side.Recorder.Handled} of {counted} messages handled 60 s after the last was sent.");
        }

        return (side.Recorder.Latencies, achieved);
    }

    private static long Percentile(long[] ticks, double q)
    {
        var sorted = ticks.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string Ms(long ticks) => (ticks * 1000.0 / Stopwatch.Frequency).ToString("F2", CultureInfo.InvariantCulture);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? Option(string[] args, string name) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    /// <summary>The Kafka settings of both sides: the Development profile, as a Development host binds it.</summary>
    private static KafkaOptions Options(string bootstrap) => new()
    {
        Profile = KafkaProfile.Development,
        BootstrapServers = [.. bootstrap.Split(',')],
        ClientId = "e2e-bench",
    };

    private interface ISide : IDisposable
    {
        string Name { get; }

        LatencyRecorder Recorder { get; }

        void Send(long sequence, int key);
    }

    /// <summary>IEventPublisher fire-and-forget into an AddConsumer worker, in a Development host.</summary>
    private sealed class SamsaSide : ISide
    {
        private readonly IHost _host;
        private readonly IEventPublisher _publisher;
        private readonly PublishOptions[] _options = [.. Enumerable.Range(0, Keys).Select(k => new PublishOptions { Topic = SamsaTopic, Key = $"customer-{k:D4}", CorrelationId = "bench-correlation-id" })];

        public SamsaSide(string bootstrap)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
            {
                EnvironmentName = "Development",
                ApplicationName = "e2e-bench",
                DisableDefaults = true,
            });
            builder.Configuration.AddInMemoryCollection(
            [
                new KeyValuePair<string, string?>("Kafka:BootstrapServers", bootstrap),
                new KeyValuePair<string, string?>("Kafka:ClientId", "e2e-bench"),
            ]);
            builder.Services.AddSingleton(new LatencyHandler(Recorder));
            builder.AddSamsaKafka().AddPublisher().AddConsumer<LatencyHandler, LatencyEvent>(SamsaTopic, "e2e-samsa");
            _host = builder.Build();
            _host.Start();
            _publisher = _host.Services.GetRequiredService<IEventPublisher>();
        }

        public string Name => "Samsa (IEventPublisher → AddConsumer handler)";

        public LatencyRecorder Recorder { get; } = new();

        public void Send(long sequence, int key) =>
            _publisher.Publish(new LatencyEvent(sequence, Stopwatch.GetTimestamp(), "order-000042", 142.5m, "EUR"), _options[key]);

        public void Dispose()
        {
            _host.StopAsync().GetAwaiter().GetResult();
            _host.Dispose();
        }
    }

    /// <summary>A Confluent producer and a consume loop on its own thread, with the configurations Samsa builds.</summary>
    private sealed class RawSide : ISide
    {
        private readonly IProducer<string?, byte[]> _producer;
        private readonly IConsumer<Ignore, byte[]> _consumer;
        private readonly string[] _keys = [.. Enumerable.Range(0, Keys).Select(k => $"customer-{k:D4}")];
        private readonly Thread _loop;
        private readonly CancellationTokenSource _stop = new();

        public RawSide(string bootstrap)
        {
            var options = Options(bootstrap);
            var producerConfig = KafkaClientConfigFactory.CreateProducerConfig(options);
            producerConfig.DeliveryReportFields = PublisherDefaults.DeliveryReportFields;
            _producer = new ProducerBuilder<string?, byte[]>(producerConfig).Build();
            _consumer = new ConsumerBuilder<Ignore, byte[]>(ConsumerClientConfigs.Consumer(options, new ConsumerOptions { Topic = RawTopic, GroupId = "e2e-raw" })).Build();
            _consumer.Subscribe(RawTopic);
            _loop = new Thread(ConsumeLoop) { IsBackground = true, Name = "raw consume loop" };
            _loop.Start();
        }

        public string Name => "raw Confluent producer → consume loop";

        public LatencyRecorder Recorder { get; } = new();

        public void Send(long sequence, int key)
        {
            var sentAt = Stopwatch.GetTimestamp();
            var now = TimeProvider.System.GetUtcNow();
            var headers = new Headers
            {
                { SamsaHeaders.EventId, Encoding.UTF8.GetBytes(Guid.CreateVersion7(now).ToString()) },
                { SamsaHeaders.EventType, EventTypeBytes },
                { SamsaHeaders.Timestamp, Encoding.UTF8.GetBytes(now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) },
                { SamsaHeaders.ContentType, ContentTypeBytes },
                { SamsaHeaders.CorrelationId, Encoding.UTF8.GetBytes("bench-correlation-id") },
            };
            _producer.Produce(RawTopic, new Message<string?, byte[]>
            {
                Key = _keys[key],
                Value = JsonSerializer.SerializeToUtf8Bytes(new LatencyEvent(sequence, sentAt, "order-000042", 142.5m, "EUR"), Json),
                Headers = headers,
                Timestamp = new Timestamp(now),
            });
        }

        private void ConsumeLoop()
        {
            var next = new long[Partitions];
            Array.Fill(next, -1);
            var commitEvery = (long)(Stopwatch.Frequency * ConsumerDefaults.CommitInterval.TotalSeconds);
            var nextCommit = Stopwatch.GetTimestamp() + commitEvery;
            while (!_stop.IsCancellationRequested)
            {
                var result = _consumer.Consume(ConsumerDefaults.PollTimeout);
                if (result is not null)
                {
                    var @event = JsonSerializer.Deserialize<LatencyEvent>(result.Message.Value, Json)!;
                    Recorder.Record(@event);
                    next[result.Partition.Value] = result.Offset.Value + 1;
                }

                if (Stopwatch.GetTimestamp() >= nextCommit)
                {
                    var offsets = Enumerable.Range(0, Partitions).Where(p => next[p] >= 0).Select(p => new TopicPartitionOffset(RawTopic, p, next[p])).ToList();
                    if (offsets.Count > 0)
                    {
                        _consumer.Commit(offsets);
                    }

                    nextCommit = Stopwatch.GetTimestamp() + commitEvery;
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Join();
            _consumer.Close();
            _consumer.Dispose();
            _producer.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>Where both sides' handlers put their latencies: one slot per counted message, filled once.</summary>
    internal sealed class LatencyRecorder
    {
        private long[] _latencies = [];
        private int _handled;
        private int _probes;

        public ManualResetEventSlim Done { get; private set; } = new();

        public bool ProbeSeen => Volatile.Read(ref _probes) > 0;

        public int Handled => Volatile.Read(ref _handled);

        public long[] Latencies => _latencies;

        public void Reset(int counted)
        {
            _latencies = new long[counted];
            Volatile.Write(ref _handled, 0);
            Done = new ManualResetEventSlim(counted == 0);
        }

        public void Record(LatencyEvent @event)
        {
            var now = Stopwatch.GetTimestamp();
            if (@event.Sequence == Probe)
            {
                Interlocked.Increment(ref _probes);
                return;
            }

            var latencies = _latencies;
            if (@event.Sequence < 0 || @event.Sequence >= latencies.Length)
            {
                return;
            }

            latencies[@event.Sequence] = now - @event.SentAt;
            if (Interlocked.Increment(ref _handled) == latencies.Length)
            {
                Done.Set();
            }
        }
    }

    internal sealed class LatencyHandler(LatencyRecorder recorder) : IEventHandler<LatencyEvent>
    {
        public ValueTask HandleAsync(LatencyEvent @event, ConsumeContext context, CancellationToken cancellationToken)
        {
            recorder.Record(@event);
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The end-to-end benchmark's event: a sequence number, the send time (Stopwatch ticks) and a small order, about 110 bytes of JSON.</summary>
public sealed record LatencyEvent(long Sequence, long SentAt, string OrderId, decimal Total, string Currency);

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Confluent.Kafka;
using Samsa.Benchmarks.Utils;

namespace Samsa.Benchmarks.Http;

/// <summary>
/// "http-publish" mode: <c>POST /events/{topic}</c> on Samsa.EventService (Release build, its own process, Production
/// environment, pointed at a Samsa.Broker process) against a minimal ASP.NET Core endpoint that calls Confluent's
/// <c>ProduceAsync</c> itself (<see cref="BaselineHttpHost"/>, this executable in its own process, same environment, same
/// producer settings and message headers), in the same run.
/// </summary>
/// <remarks>
/// <para>
/// The load generator is this process: HttpClient over SocketsHttpHandler, one connection per client, each client sending
/// its next request when the last one is answered (closed loop), for 1, 16 and 64 clients. Per client count: a warm-up of
/// each server, then <c>--rounds</c> rounds of ABBA halves of <c>--seconds</c> each (the starting side alternating between
/// rounds), so load from other processes weighs on both sides alike. Figures: requests per second (median of the rounds;
/// the verdict is the median of per-round service/baseline ratios, goal ≥ 0.90), p50 and p99 latency over every request of
/// the measured halves, and each server's CPU µs per request (its process, every thread).
/// </para>
/// <para>
/// Before measuring it posts one event to each server and reads both records back from the broker, and fails unless they
/// carry the same header names, key and value bytes.
/// </para>
/// </remarks>
internal static class HttpPublishHarness
{
    private const string Topic = "orders";
    private const int Keys = 64;
    private const string Suite = "http-publish";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"orderId":"order-000042","total":142.5,"customerId":"customer-0042","currency":"EUR","lines":3}""");

    public static int Run(string[] args)
    {
        var samsa = Option(args, "--samsa") ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "Samsa.Cli", "release", "samsa");
        var service = Option(args, "--service") ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "Samsa.EventService", "release", "Samsa.EventService");
        var rounds = Option(args, "--rounds") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var seconds = Option(args, "--seconds") is { } sec ? double.Parse(sec, CultureInfo.InvariantCulture) : 3.0;
        var warmup = Option(args, "--warmup") is { } w ? double.Parse(w, CultureInfo.InvariantCulture) : 2.0;
        var clientCounts = Option(args, "--clients")?.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() ?? [1, 16, 64];
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();

        using var broker = BrokerProcess.StartSamsa(samsa, null);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["Kafka__SecurityProtocol"] = "Plaintext",
            ["Kafka__AllowPlaintextInProduction"] = "true",
            ["Kafka__ClientId"] = "http-publish-bench",
            ["Kafka__Topics__orders__Partitions"] = "3",
            ["Kafka__Topics__orders__ReplicationFactor"] = "1",
            ["Kafka__Topics__orders__MinInsyncReplicas"] = "1",
            ["Kafka__Topics__events__ReplicationFactor"] = "1",
            ["Kafka__Topics__events__MinInsyncReplicas"] = "1",
            ["Operations__ApiKeys__bench__Key"] = "http-publish-bench-key-0123456789abcdef",
            ["Operations__ApiKeys__bench__Scopes__0"] = "read",

            // The service is a Web SDK project (server GC); the baseline host gets the same collector.
            ["DOTNET_gcServer"] = "1",
        };

        var self = Environment.ProcessPath!;
        var baselineArguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            baselineArguments.Add(typeof(HttpPublishHarness).Assembly.Location);
        }

        baselineArguments.Add("http-baseline-host");
        var (serviceProgram, serviceArguments) = File.Exists(service) ? (service, new List<string>()) : ("dotnet", [service + ".dll"]);
        using var subject = ServerProcess.Start(serviceProgram, serviceArguments, environment, Path.GetDirectoryName(Path.GetFullPath(service)));
        using var baseline = ServerProcess.Start(self, baselineArguments, environment, null);
        using var subjectClient = NewClient(subject.Address);
        using var baselineClient = NewClient(baseline.Address);
        WaitUntilServing(subject, subjectClient, "Samsa.EventService");
        WaitUntilServing(baseline, baselineClient, "baseline");
        Console.WriteLine(CheckSameMessages(broker.BootstrapServers, subjectClient, baselineClient));
        Console.WriteLine(baseline.LastLines.Split('\n').FirstOrDefault(l => l.StartsWith("baseline producer:", StringComparison.Ordinal)) ?? "");

        var sides = new[] { new Side("Samsa.EventService", subject, subjectClient), new Side("baseline (minimal endpoint + ProduceAsync)", baseline, baselineClient) };
        var rows = new List<(int Clients, Sample Subject, Sample Baseline, List<double> RateRatios)>();
        foreach (var clients in clientCounts)
        {
            foreach (var side in sides)
            {
                _ = Measure(side, broker, clients, warmup);
            }

            var subjectSamples = new List<Sample>();
            var baselineSamples = new List<Sample>();
            var ratios = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                // ABBA: first, second, second, first; the next round starts with the other side.
                var (first, second) = round % 2 == 0 ? (sides[0], sides[1]) : (sides[1], sides[0]);
                var firstOpening = Measure(first, broker, clients, seconds / 2);
                var secondOpening = Measure(second, broker, clients, seconds / 2);
                var secondClosing = Measure(second, broker, clients, seconds / 2);
                var firstClosing = Measure(first, broker, clients, seconds / 2);
                var (s, b) = round % 2 == 0
                    ? (firstOpening.Add(firstClosing), secondOpening.Add(secondClosing))
                    : (secondOpening.Add(secondClosing), firstOpening.Add(firstClosing));
                subjectSamples.Add(s);
                baselineSamples.Add(b);
                ratios.Add(s.RequestsPerSecond / b.RequestsPerSecond);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{clients} clients, round {round + 1}: req/s service {s.RequestsPerSecond:N0} baseline {b.RequestsPerSecond:N0} ratio {ratios[^1]:F3}; p99 ms {s.Percentile(0.99):F2} / {b.Percentile(0.99):F2}"));
            }

            rows.Add((clients, Sample.Merge(subjectSamples), Sample.Merge(baselineSamples), ratios));
        }

        Print(rows, rounds, seconds, sides);
        return 0;
    }

    private static HttpClient NewClient(Uri address) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        MaxConnectionsPerServer = int.MaxValue,
    })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(60),
    };

    private static HttpRequestMessage NewRequest(string key)
    {
        var content = new ByteArrayContent(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/events/" + Topic) { Content = content };
        request.Headers.Add("X-Event-Key", key);
        return request;
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string key)
    {
        using var request = NewRequest(key);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        return response.StatusCode;
    }

    private static void WaitUntilServing(ServerProcess server, HttpClient client, string name)
    {
        var clock = Stopwatch.StartNew();
        string? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"{name} exited before serving:\n{server.LastLines}");
            }

            try
            {
                var status = PostAsync(client, "warm-up").GetAwaiter().GetResult();
                if (status == HttpStatusCode.Created)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} serving at {server.Address} after {clock.Elapsed.TotalSeconds:F1} s (pid {server.Pid})"));
                    return;
                }

                last = status.ToString();
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            Thread.Sleep(250);
        }

        throw new TimeoutException($"{name} did not answer 201 within 120 s (last: {last}):\n{server.LastLines}");
    }

    /// <summary>Posts one event to each server, reads both records back, and compares what they carry.</summary>
    private static string CheckSameMessages(string bootstrap, HttpClient subject, HttpClient baseline)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "http-publish-check", EnableAutoCommit = false }).Build();
        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(Topic, p)).ToList();
        consumer.Assign(partitions.Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High)));
        var keys = new[] { "check-service", "check-baseline" };
        if (PostAsync(subject, keys[0]).GetAwaiter().GetResult() != HttpStatusCode.Created || PostAsync(baseline, keys[1]).GetAwaiter().GetResult() != HttpStatusCode.Created)
        {
            throw new InvalidOperationException("A check post was not answered 201.");
        }

        var found = new Dictionary<string, Message<byte[]?, byte[]>>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        while (found.Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result && result.Message.Key is { } key && keys.Contains(Encoding.UTF8.GetString(key)))
            {
                found[Encoding.UTF8.GetString(key)] = result.Message;
            }
        }

        if (found.Count < 2)
        {
            throw new InvalidOperationException("The check records were not read back within 30 s.");
        }

        static string Describe(Message<byte[]?, byte[]> m) =>
            string.Join(", ", m.Headers.Select(h => $"{h.Key} ({h.GetValueBytes().Length} B)")) + $"; timestamp {m.Timestamp.Type}; value {m.Value.Length} B";
        var s = found[keys[0]];
        var b = found[keys[1]];
        var sameNames = s.Headers.Select(h => h.Key).Order(StringComparer.Ordinal).SequenceEqual(b.Headers.Select(h => h.Key).Order(StringComparer.Ordinal));
        if (!sameNames || !s.Value.AsSpan().SequenceEqual(b.Value) || !s.Value.AsSpan().SequenceEqual(Body) || s.Timestamp.Type != b.Timestamp.Type)
        {
            throw new InvalidOperationException($"The two sides write different messages.\nservice: {Describe(s)}\nbaseline: {Describe(b)}");
        }

        return $"Both sides write the same message: key, value as posted, CreateTime and headers: service {Describe(s)}; baseline {Describe(b)}";
    }

    /// <summary><paramref name="clients"/> closed-loop clients for <paramref name="seconds"/> against one side.</summary>
    private static Sample Measure(Side side, BrokerProcess broker, int clients, double seconds)
    {
        GC.Collect();
        var serverCpu = side.Server.CpuTime;
        var brokerCpu = broker.CpuTime;
        var latencies = new List<long>[clients];
        var failures = 0;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(seconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var list = latencies[c] = new List<long>(4096);
            var n = c;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var sent = Stopwatch.GetTimestamp();
                var status = await PostAsync(side.Client, "customer-" + (n++ % Keys).ToString("D4", CultureInfo.InvariantCulture));
                list.Add(Stopwatch.GetTimestamp() - sent);
                if (status != HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        Task.WaitAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(start);
        if (failures > 0)
        {
            throw new InvalidOperationException($"{side.Name}: {failures} requests were not answered 201:\n{side.Server.LastLines}");
        }

        var all = latencies.SelectMany(l => l).ToArray();
        return new Sample(all.Length, elapsed, side.Server.CpuTime - serverCpu, broker.CpuTime - brokerCpu, all);
    }

    private static void Print(List<(int Clients, Sample Subject, Sample Baseline, List<double> RateRatios)> rows, int rounds, double seconds, Side[] sides)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"HTTP to Kafka: POST /events/{Topic} ({Body.Length} B JSON, {Keys} keys), closed-loop clients, {rounds} ABBA rounds of {seconds:F1} s per side, {Environment.ProcessorCount} cores; servers, broker and load generator each in their own process"));
        Console.WriteLine("| clients | server | req/s | p50 ms | p99 ms | server CPU µs/req | broker CPU µs/req |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            foreach (var (name, sample) in new[] { (sides[0].Name, row.Subject), (sides[1].Name, row.Baseline) })
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Clients} | {name} | {sample.RequestsPerSecond:N0} | {sample.Percentile(0.5):F2} | {sample.Percentile(0.99):F2} | {sample.ServerCpuMicrosPerRequest:F1} | {sample.BrokerCpuMicrosPerRequest:F1} |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| clients | req/s ratio (median of rounds; min–max) | p50 ratio | p99 ratio | server CPU/req ratio | goal |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var rate = Median(row.RateRatios);
            var p50 = row.Subject.Percentile(0.5) / row.Baseline.Percentile(0.5);
            var p99 = row.Subject.Percentile(0.99) / row.Baseline.Percentile(0.99);
            var cpu = row.Subject.ServerCpuMicrosPerRequest / row.Baseline.ServerCpuMicrosPerRequest;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Clients} | {rate:F3} ({row.RateRatios.Min():F3}–{row.RateRatios.Max():F3}) | {p50:F3} | {p99:F3} | {cpu:F3} | req/s ≥ 0.90: {(rate >= 0.90 ? "met" : "missed")} |"));
        }

        Console.WriteLine();
        foreach (var row in rows)
        {
            var name = $"{row.Clients}-clients";
            BenchResult.Print(Suite, name, "req/s", Median(row.RateRatios), ">=0.90");
            BenchResult.Print(Suite, name, "p50-latency", row.Subject.Percentile(0.5) / row.Baseline.Percentile(0.5));
            BenchResult.Print(Suite, name, "p99-latency", row.Subject.Percentile(0.99) / row.Baseline.Percentile(0.99));
            BenchResult.Print(Suite, name, "server-cpu/req", row.Subject.ServerCpuMicrosPerRequest / row.Baseline.ServerCpuMicrosPerRequest);
        }
    }

    private static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? Option(string[] args, string name) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    private sealed record Side(string Name, ServerProcess Server, HttpClient Client);

    /// <summary>A measured stretch of one side: requests, wall time, CPU of its server and of the broker, every request's latency in Stopwatch ticks.</summary>
    private sealed record Sample(int Requests, TimeSpan Elapsed, TimeSpan ServerCpu, TimeSpan BrokerCpu, long[] Latencies)
    {
        private long[]? _sorted;

        public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

        public double ServerCpuMicrosPerRequest => ServerCpu.TotalMicroseconds / Requests;

        public double BrokerCpuMicrosPerRequest => BrokerCpu.TotalMicroseconds / Requests;

        /// <summary>Latency in milliseconds at quantile <paramref name="q"/> (nearest rank).</summary>
        public double Percentile(double q)
        {
            _sorted ??= [.. Latencies.Order()];
            var index = Math.Clamp((int)Math.Ceiling(q * _sorted.Length) - 1, 0, _sorted.Length - 1);
            return _sorted[index] * 1000.0 / Stopwatch.Frequency;
        }

        public Sample Add(Sample other) =>
            new(Requests + other.Requests, Elapsed + other.Elapsed, ServerCpu + other.ServerCpu, BrokerCpu + other.BrokerCpu, [.. Latencies, .. other.Latencies]);

        public static Sample Merge(IEnumerable<Sample> samples) => samples.Aggregate((a, b) => a.Add(b));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Burrow (Debian's 1.2.1, on sarama) reads <c>__consumer_offsets</c> directly, decodes the commits with Kafka's own
/// key/value formats and computes lag against the partitions' end offsets. It needs a ZooKeeper for its own lock, so the
/// test runs Debian's ZooKeeper beside it; scripts/install-test-deps.sh installs both.
/// </summary>
public sealed class BurrowTests
{
    private const string Topic = "orders";
    private const string Group = "lag-watch";

    // Every wait below is bounded; the timeout is the backstop that turns an unforeseen hang into a failure with a message.
    [Fact(Timeout = 180_000)]
    public async Task Burrow_ReadsCommittedOffsetsFromConsumerOffsetsTopic_AndReportsLag()
    {
        var burrow = ExternalProcess.Find("Burrow") ?? throw new InvalidOperationException("Burrow is not installed; scripts/install-test-deps.sh installs it (Debian package burrow).");
        var java = ExternalProcess.Find("java") ?? throw new InvalidOperationException("java is not installed; scripts/install-test-deps.sh installs it with Debian's zookeeper.");
        var cancellation = TestContext.Current.CancellationToken;
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics[Topic] = 3);

        // 10 records per partition, all consumed and committed by the group; then 5 more on partition 0 that it has not read.
        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 30; i++)
            {
                producer.Produce(new TopicPartition(Topic, i % 3), new Message<Null, string> { Value = $"v{i}" });
            }

            producer.Flush(cancellation);
        }

        using (var consumer = new ConsumerBuilder<Ignore, string>(broker.ConsumerConfig(Group, c =>
        {
            c.EnableAutoCommit = false;
            c.AutoOffsetReset = AutoOffsetReset.Earliest;
        })).Build())
        {
            consumer.Subscribe(Topic);
            Assert.Equal(30, consumer.ConsumeMany(30, TimeSpan.FromSeconds(30)).Count);
            consumer.Commit();
            consumer.Close();
        }

        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 5; i++)
            {
                producer.Produce(new TopicPartition(Topic, 0), new Message<Null, string> { Value = $"late{i}" });
            }

            producer.Flush(cancellation);
        }

        var directory = Directory.CreateTempSubdirectory("samsa-burrow-");
        try
        {
            var zookeeperPort = BackgroundProcess.FreeTcpPort();
            using var zookeeper = StartZooKeeper(java, directory.FullName, zookeeperPort);
            await zookeeper.WaitForPortAsync(zookeeperPort, TimeSpan.FromSeconds(60), cancellation);
            await WaitForZooKeeperServingAsync(zookeeper, zookeeperPort, cancellation);

            var httpPort = BackgroundProcess.FreeTcpPort();
            File.WriteAllText(Path.Combine(directory.FullName, "burrow.toml"), BurrowConfig(directory.FullName, broker.BootstrapServers, zookeeperPort, httpPort));
            using var burrowProcess = BackgroundProcess.Start(burrow, ["--config-dir", directory.FullName], directory.FullName);
            await burrowProcess.WaitForPortAsync(httpPort, TimeSpan.FromSeconds(30), cancellation);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
            var partitions = await WaitForLagAsync(http, burrowProcess, cancellation);

            Assert.Equal([10L, 10L, 10L], partitions.Select(p => p.Offset));
            Assert.Equal([5L, 0L, 0L], partitions.Select(p => p.Lag));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Polls Burrow's consumer detail until it has the group's three partitions with their lag, or fails with its log.</summary>
    private static async Task<List<(long Offset, long Lag)>> WaitForLagAsync(HttpClient http, BackgroundProcess burrow, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(45))
        {
            using var response = await http.GetAsync($"/v3/kafka/local/consumer/{Group}", cancellation);
            last = await response.Content.ReadAsStringAsync(cancellation);
            if (response.IsSuccessStatusCode && TryReadPartitions(last, out var partitions) && partitions.Sum(p => p.Lag) == 5)
            {
                return partitions;
            }

            await Task.Delay(250, cancellation);
        }

        throw new TimeoutException($"Burrow did not report the group's lag in time. Last answer:\n{last}\nBurrow:\n{burrow.Output}");
    }

    private static bool TryReadPartitions(string json, out List<(long Offset, long Lag)> partitions)
    {
        partitions = [];
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("topics", out var topics) || !topics.TryGetProperty(Topic, out var topic) || topic.GetArrayLength() != 3)
        {
            return false;
        }

        foreach (var partition in topic.EnumerateArray())
        {
            var latest = partition.GetProperty("offsets").EnumerateArray().LastOrDefault(o => o.ValueKind == JsonValueKind.Object);
            if (latest.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            partitions.Add((latest.GetProperty("offset").GetInt64(), partition.GetProperty("current-lag").GetInt64()));
        }

        return true;
    }

    /// <summary>ZooKeeper accepts TCP before it serves; its <c>srvr</c> command answers only once it does.</summary>
    private static async Task WaitForZooKeeperServingAsync(BackgroundProcess zookeeper, int port, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var last = string.Empty;
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            // One attempt may not outlive a few seconds: a server that accepts but never answers must not stall the test.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port, attempt.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("srvr"u8.ToArray(), attempt.Token);
                using var reader = new StreamReader(stream);
                last = await reader.ReadToEndAsync(attempt.Token);
                if (last.Contains("Mode: standalone", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (IOException)
            {
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                last = "(no answer within 3 s)";
            }

            await Task.Delay(200, cancellation);
        }

        throw new TimeoutException($"ZooKeeper did not serve in time. Last srvr answer: {last}\n{zookeeper.Output}");
    }

    private static BackgroundProcess StartZooKeeper(string java, string directory, int port)
    {
        var data = Directory.CreateDirectory(Path.Combine(directory, "zookeeper"));
        var config = Path.Combine(directory, "zoo.cfg");
        File.WriteAllText(config, $"tickTime=2000\ndataDir={data.FullName}\nclientPort={port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n");

        // Debian's zookeeper puts its jar and dependencies in /usr/share/java; the whole folder is the simplest class path.
        var classPath = string.Join(':', Directory.GetFiles("/usr/share/java", "*.jar"));
        return BackgroundProcess.Start(java, ["-Xmx128m", "-cp", classPath, "org.apache.zookeeper.server.ZooKeeperServerMain", config], directory);
    }

    private static string BurrowConfig(string directory, string bootstrapServers, int zookeeperPort, int httpPort)
    {
        var servers = string.Join(", ", bootstrapServers.Split(',').Select(s => $"\"{s}\""));
        return string.Create(CultureInfo.InvariantCulture, $"""
            [general]
            pidfile="{directory}/burrow.pid"

            [logging]
            level="info"

            [zookeeper]
            servers=[ "127.0.0.1:{zookeeperPort}" ]
            timeout=6
            root-path="/burrow"

            [client-profile.samsa]
            client-id="burrow"
            kafka-version="2.0.0"

            [cluster.local]
            class-name="kafka"
            servers=[ {servers} ]
            client-profile="samsa"
            topic-refresh=1
            offset-refresh=1

            [consumer.local]
            class-name="kafka"
            cluster="local"
            servers=[ {servers} ]
            client-profile="samsa"

            [httpserver.default]
            address="127.0.0.1:{httpPort}"

            [storage.default]
            class-name="inmemory"
            workers=2
            intervals=10
            min-distance=1
            """);
    }
}

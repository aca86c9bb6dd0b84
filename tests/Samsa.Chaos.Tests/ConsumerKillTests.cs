using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Chaos.Tests.Support;
using Samsa.TestUtils;

namespace Samsa.Chaos.Tests;

/// <summary>
/// Scenario 2: a Samsa consumer in a child process (tests/Samsa.Chaos.Worker) is killed with SIGKILL at random points
/// while records keep arriving, and started again with the same instance id, cycle after cycle. Its handler logs each
/// call to a file and forwards the record to an output topic. Afterwards, at least once: every input record was
/// handled, and, per key, first handled in produce order; the output holds every input. Exactly once: the
/// read_committed output holds every input exactly once, per key in produce order. Short mode: 2 kills; long mode: 30.
/// </summary>
public sealed class ConsumerKillTests : IDisposable
{
    private const string Input = "chaos-in";
    private const string Output = "chaos-out";
    private const string Group = "chaos-workers";
    private const int Partitions = 3;
    private const int Keys = 32;
    private const int RecordsPerBatch = 100;

    // How far the input may run ahead of the handler calls: records are always waiting at a kill, but the input stays
    // within what the worker drains in seconds (at least once, each record waits for its output's acknowledgement).
    private const int MaxAhead = 1_500;
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("samsa-chaos-worker-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConsumerKill_RestartCycles_EveryRecordHandledInOrderPerKey(bool exactlyOnce)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var cycles = ChaosMode.Size(shortMode: 2, longMode: 30);
        var random = new Random(ChaosMode.Seed);
        await using var broker = await EmbeddedBroker.StartAsync();
        await CreateTopicsAsync(broker.BootstrapServers);

        var generation = 0;
        IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["ChaosWorker__InputTopic"] = Input,
            ["ChaosWorker__OutputTopic"] = Output,
            ["ChaosWorker__Group"] = Group,
            ["ChaosWorker__InstanceId"] = "chaos-worker",
            ["ChaosWorker__ExactlyOnce"] = exactlyOnce ? "true" : "false",
            ["ChaosWorker__HandledFile"] = HandledFile(++generation),
        };

        var produced = new long[Keys];
        using var stopProducing = new CancellationTokenSource();
        var producing = Task.Run(() => ProduceInput(broker.BootstrapServers, produced, HandledCount, stopProducing.Token), CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var kills = 0;
        var deliveryErrors = 0;
        var worker = await WorkerProcess.StartAsync(Settings(), _directory.FullName, cancellationToken);
        try
        {
            for (var cycle = 0; cycle < cycles; cycle++)
            {
                // The kill point: a random number of further handler calls, with records arriving all the time.
                var target = HandledCount() + random.Next(300, 2000);
                await WaitForAsync(() => HandledCount() >= target || producing.IsCompleted, $"cycle {cycle}: {target} handler calls", worker);
                worker.Kill();
                kills++;
                worker = await WorkerProcess.StartAsync(Settings(), _directory.FullName, cancellationToken);
            }

            var last = HandledCount() + random.Next(300, 2000);
            await WaitForAsync(() => HandledCount() >= last || producing.IsCompleted, $"after the last restart: {last} handler calls", worker);
            stopProducing.Cancel();
            deliveryErrors = await producing;

            // Done once the group's committed offsets reach the ends of the input (in exactly-once mode they are committed with the outputs).
            await WaitForAsync(() => Lag(broker.BootstrapServers) == 0, "the group to commit the whole input", worker, () => DescribeLag(broker.BootstrapServers));
        }
        finally
        {
            await stopProducing.CancelAsync();
            worker.Dispose();
        }

        var handled = ReadHandled(generation);
        var output = ReadOutput(broker.BootstrapServers);
        var violations = new List<string>();
        if (deliveryErrors > 0)
        {
            violations.Add($"{deliveryErrors} input record(s) were not delivered: the input is not what the checks assume");
        }

        CheckFirstHandledInOrder("handled", handled, produced, violations);
        if (exactlyOnce)
        {
            CheckExactlyOnceInOrder(output, produced, violations);
        }
        else
        {
            CheckFirstHandledInOrder("output", output, produced, violations);
        }

        var total = produced.Sum();
        var summary =
            $"{(exactlyOnce ? "exactly once" : "at least once")}, seed {ChaosMode.Seed}: {kills} kills in {clock.Elapsed.TotalSeconds:F0} s, " +
            $"{total} records produced, {handled.Count} handler calls ({handled.Count - total} repeated after kills), " +
            $"{output.Count} output records{(exactlyOnce ? " (read_committed)" : string.Empty)}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.True(violations.Count == 0, summary + "\n" + string.Join('\n', violations.Take(50)));
    }

    private string HandledFile(int generation) => Path.Combine(_directory.FullName, $"handled-{generation}.log");

    /// <summary>
    /// Input records, each key numbered 1, 2, 3 ... in produce order, in batches that are flushed before the next, at most
    /// <see cref="MaxAhead"/> ahead of <paramref name="handled"/>; returns the failed deliveries.
    /// </summary>
    private static int ProduceInput(string bootstrap, long[] produced, Func<int> handled, CancellationToken stop)
    {
        // Idempotent: the input itself has no duplicate and no reordering, so what the checks find is the worker's.
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();
        var errors = 0;
        var number = 0L;
        while (!stop.IsCancellationRequested)
        {
            if (number - handled() >= MaxAhead)
            {
                stop.WaitHandle.WaitOne(20);
                continue;
            }

            for (var i = 0; i < RecordsPerBatch; i++, number++)
            {
                var key = (int)(number % Keys);
                var sequence = ++produced[key];
                producer.Produce(Input, new Message<string, string>
                {
                    Key = KeyName(key),
                    Value = string.Create(CultureInfo.InvariantCulture, $"{{\"key\":{key},\"seq\":{sequence}}}"),
                }, report =>
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref errors);
                    }
                });
            }

            if (producer.Flush(TimeSpan.FromSeconds(60)) > 0)
            {
                Interlocked.Increment(ref errors);
            }
        }

        return errors;
    }

    private static string KeyName(int key) => "k" + key.ToString(CultureInfo.InvariantCulture);

    private static async Task CreateTopicsAsync(string bootstrap)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([
            new TopicSpecification { Name = Input, NumPartitions = Partitions, ReplicationFactor = 1 },
            new TopicSpecification { Name = Output, NumPartitions = Partitions, ReplicationFactor = 1 },
        ]);
    }

    /// <summary>Lines written to the handled files so far (the test's view of the worker's progress).</summary>
    private int HandledCount() =>
        _directory.EnumerateFiles("handled-*.log").Sum(file =>
        {
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var count = 0;
            var buffer = new byte[65536];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                count += buffer.AsSpan(0, read).Count((byte)'\n');
            }

            return count;
        });

    /// <summary>The (key, seq) of every handler call, in the order the calls were made (the generations ran one after another).</summary>
    private List<(int Key, long Sequence)> ReadHandled(int generations)
    {
        var calls = new List<(int, long)>();
        for (var generation = 1; generation <= generations; generation++)
        {
            var path = HandledFile(generation);
            if (!File.Exists(path))
            {
                continue;
            }

            var text = File.ReadAllText(path);

            // A line cut short by the SIGKILL has no newline yet; it is not counted.
            foreach (var line in text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split(' ');
                calls.Add((int.Parse(fields[0].AsSpan(1), CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture)));
            }
        }

        return calls;
    }

    /// <summary>The output topic, read_committed, each partition in offset order (a key's records all sit in one partition).</summary>
    private static List<(int Key, long Sequence)> ReadOutput(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "chaos-check-" + Guid.NewGuid(),
            EnablePartitionEof = true,
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(Output, p, Offset.Beginning)));
        return consumer.ConsumeToEnd(Partitions, TimeSpan.FromSeconds(120))
            .Select(r =>
            {
                using var json = JsonDocument.Parse(r.Message.Value);
                return (json.RootElement.GetProperty("key").GetInt32(), json.RootElement.GetProperty("seq").GetInt64());
            })
            .ToList();
    }

    /// <summary>
    /// At least once, in order: every produced (key, seq) occurs, and per key each seq first occurs right after the one
    /// before it (repeats of earlier ones, a replay after a kill, may come in between).
    /// </summary>
    private static void CheckFirstHandledInOrder(string what, List<(int Key, long Sequence)> calls, long[] produced, List<string> violations)
    {
        var highest = new long[Keys];
        foreach (var (key, sequence) in calls)
        {
            if (sequence > highest[key] + 1)
            {
                violations.Add($"{what}: key {KeyName(key)} seq {sequence} first came after seq {highest[key]} (seq {highest[key] + 1} .. {sequence - 1} not yet)");
            }

            highest[key] = Math.Max(highest[key], sequence);
        }

        for (var key = 0; key < Keys; key++)
        {
            if (highest[key] < produced[key])
            {
                violations.Add($"{what}: key {KeyName(key)} reached seq {highest[key]} of {produced[key]} produced");
            }
        }
    }

    /// <summary>Exactly once, in order: per key the output is seq 1, 2, ... up to what was produced, each once.</summary>
    private static void CheckExactlyOnceInOrder(List<(int Key, long Sequence)> output, long[] produced, List<string> violations)
    {
        var last = new long[Keys];
        foreach (var (key, sequence) in output)
        {
            if (sequence != last[key] + 1)
            {
                violations.Add($"output (read_committed): key {KeyName(key)} seq {sequence} follows seq {last[key]}" + (sequence <= last[key] ? " (a duplicate)" : " (a gap)"));
            }

            last[key] = Math.Max(last[key], sequence);
        }

        for (var key = 0; key < Keys; key++)
        {
            if (last[key] != produced[key])
            {
                violations.Add($"output (read_committed): key {KeyName(key)} ends at seq {last[key]}, {produced[key]} were produced");
            }
        }
    }

    /// <summary>Records of the input the group has not committed yet.</summary>
    private static long Lag(string bootstrap) => CommittedAndEnds(bootstrap).Sum(p => p.End - Math.Max(0, p.Committed));

    private string DescribeLag(string bootstrap) =>
        $"{HandledCount()} handler calls; committed/end per partition: " + string.Join(", ", CommittedAndEnds(bootstrap).Select(p => $"{p.Committed}/{p.End}"));

    private static List<(long Committed, long End)> CommittedAndEnds(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = Group, EnableAutoCommit = false }).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Input, p)).ToList();
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        return partitions.Select(p => (committed[p.Partition.Value], consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value)).ToList();
    }

    private static Task WaitForAsync(Func<bool> condition, string what, WorkerProcess worker, Func<string>? detail = null) =>
        Poll.UntilAsync(
            () => condition() || (worker.HasExited
                ? throw new InvalidOperationException($"The worker exited while waiting for {what}.\nWorker output:\n{worker.Output}")
                : false),
            what,
            ProgressTimeout,
            () => $"{detail?.Invoke()}\nWorker output:\n{worker.Output}");
}

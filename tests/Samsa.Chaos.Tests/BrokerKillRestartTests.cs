using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Chaos.Tests.Support;
using Samsa.TestUtils;

namespace Samsa.Chaos.Tests;

/// <summary>
/// Scenario 1: the standalone broker (<c>samsa broker start --data-dir</c>, 1 and 3 nodes) is killed
/// with SIGKILL while a librdkafka producer (acks=all, 5 requests in flight) keeps producing, and is
/// restarted from the same directory, cycle after cycle. Afterwards every acknowledged record is read
/// back exactly once, at its acknowledged offset, in produce order within its partition; the
/// committed consumer offset and every committed transaction survive; and the producer never saw the
/// topic as unknown. Short mode: a few cycles; long mode: 100 cycles with a CPU hog alongside.
/// </summary>
public sealed class BrokerKillRestartTests : IDisposable
{
    private const string Topic = "chaos";
    private const string TransactionTopic = "chaos-txn";
    private const string Group = "chaos-group";
    private const int Partitions = 3;
    private const int RecordsPerTransaction = 10;

    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-chaos-kill-");
    private readonly StringBuilder _log = new();

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(3, true)]
    public async Task BrokerKill_RestartCycles_EveryAcknowledgedRecordOnceInOrder(int nodes, bool idempotent)
    {
        var cycles = ChaosMode.Size(shortMode: nodes == 1 ? 3 : 2, longMode: 100);
        using var hog = ChaosMode.IsLong ? new CpuHog(Environment.ProcessorCount, TimeSpan.FromHours(1)) : null;
        var result = await RunCyclesAsync(nodes, idempotent, cycles, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Describe());
        Assert.True(result.Violations.Count == 0, result.Describe());
    }

    /// <summary>
    /// Regression for issue 10's second finding, under the conditions it was seen in: 3 nodes, a CPU
    /// hog, idempotence off, retries 0, 5 requests in flight.
    /// </summary>
    [Fact]
    public async Task BrokerKill_ThreeNodesUnderCpuContention_AcknowledgedOrderHolds()
    {
        using var hog = new CpuHog(Environment.ProcessorCount * 2, TimeSpan.FromMinutes(3));
        var result = await RunCyclesAsync(3, idempotent: false, ChaosMode.Size(2, 20), TestContext.Current.CancellationToken, ballastTopics: 200);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Describe());
        Assert.True(result.Violations.Count == 0, result.Describe());
    }

    /// <param name="ballastTopics">Extra 3-partition topics that make each restart's load take longer (a wider window for clients to race it).</param>
    private async Task<CycleResult> RunCyclesAsync(int nodes, bool idempotent, int cycles, CancellationToken cancellationToken, int ballastTopics = 0)
    {
        var random = new Random(ChaosMode.Seed);
        var port = BrokerProcess.FreePortRange(nodes);
        var dataDirectory = _dataDirectory.FullName;
        var bootstrap = string.Join(',', Enumerable.Range(0, nodes).Select(i => $"127.0.0.1:{port + i}"));
        var acknowledged = new ConcurrentQueue<Delivery>();
        var failures = new ConcurrentDictionary<string, int>();
        var topicUnknown = new ConcurrentQueue<string>();
        var result = new CycleResult(nodes, idempotent, cycles, ChaosMode.Seed, _log);

        var producerConfig = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = idempotent,
            MaxInFlight = 5,
            LingerMs = 5,
            MessageTimeoutMs = 60_000,
            SocketTimeoutMs = 10_000,
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 500,
            TopicMetadataRefreshIntervalMs = 250,
        };
        if (!idempotent)
        {
            producerConfig.MessageSendMaxRetries = 0;
        }

        BrokerProcess? broker = await BrokerProcess.StartAsync(dataDirectory, nodes, port, cancellationToken);
        try
        {
            await CreateTopicsAsync(bootstrap, nodes, ballastTopics);
            using var producer = new ProducerBuilder<string, string>(producerConfig)
                .SetLogHandler((_, message) =>
                {
                    // librdkafka's own account of a topic that went missing (what issue 10 saw as "partition count changed from 3 to 0").
                    if (message.Message.Contains("partition count changed", StringComparison.Ordinal) && message.Message.Contains(" to 0", StringComparison.Ordinal))
                    {
                        topicUnknown.Enqueue(message.Message);
                    }
                })
                .SetErrorHandler((_, error) =>
                {
                    if (error.IsFatal)
                    {
                        failures.AddOrUpdate("fatal: " + error.Reason, 1, (_, n) => n + 1);
                    }
                })
                .Build();

            using var stopProducing = new CancellationTokenSource();
            var producing = Task.Run(() => ProduceLoop(producer, acknowledged, failures, topicUnknown, stopProducing.Token), CancellationToken.None);
            var committedOffset = -1L;
            var committedTransactions = 0;
            for (var cycle = 0; cycle < cycles; cycle++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (broker is null)
                {
                    broker = await BrokerProcess.StartAsync(dataDirectory, nodes, port, cancellationToken);
                    result.Restarts++;
                }

                // What the previous cycles committed is still there.
                if (committedOffset >= 0)
                {
                    var seen = ReadCommittedOffset(bootstrap);
                    if (seen != committedOffset)
                    {
                        result.Violations.Add($"cycle {cycle}: committed offset of {Group} is {seen}, {committedOffset} was committed before the kill");
                    }
                }

                var target = acknowledged.Count + random.Next(300, 3000);
                await WaitForAsync(() => acknowledged.Count >= target || producing.IsCompleted, TimeSpan.FromSeconds(90), $"cycle {cycle}: {target} acknowledged records", broker);
                committedOffset = cycle + 1;
                CommitOffset(bootstrap, committedOffset);
                CommitTransaction(bootstrap, cycle);
                committedTransactions++;

                // Kill while records are in flight.
                await WaitForAsync(() => acknowledged.Count >= target + random.Next(0, 200) || producing.IsCompleted, TimeSpan.FromSeconds(90), $"cycle {cycle}: more acknowledged records", broker);
                broker.Kill();
                broker = null;
                result.Kills++;
            }

            broker = await BrokerProcess.StartAsync(dataDirectory, nodes, port, cancellationToken);
            result.Restarts++;
            stopProducing.Cancel();
            await producing;
            producer.Flush(TimeSpan.FromSeconds(90));

            result.Acknowledged = acknowledged.Count;
            result.Failures = failures;
            CheckReadBack(bootstrap, acknowledged.ToList(), result);
            var finalOffset = ReadCommittedOffset(bootstrap);
            if (finalOffset != committedOffset)
            {
                result.Violations.Add($"after the last restart the committed offset is {finalOffset}, {committedOffset} was committed");
            }

            CheckTransactions(bootstrap, committedTransactions, result);
            foreach (var unknown in topicUnknown)
            {
                result.Violations.Add("the producer saw the existing topic as unknown: " + unknown);
            }
        }
        finally
        {
            broker?.Dispose();
        }

        return result;
    }

    private static void ProduceLoop(IProducer<string, string> producer, ConcurrentQueue<Delivery> acknowledged, ConcurrentDictionary<string, int> failures, ConcurrentQueue<string> topicUnknown, CancellationToken stop)
    {
        var sequence = 0L;
        while (!stop.IsCancellationRequested)
        {
            var number = sequence;
            var message = new Message<string, string> { Key = (number % 101).ToString(CultureInfo.InvariantCulture), Value = number.ToString(CultureInfo.InvariantCulture) };
            try
            {
                producer.Produce(Topic, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        failures.AddOrUpdate(report.Error.Code.ToString(), 1, (_, n) => n + 1);
                        if (report.Error.Code is ErrorCode.Local_UnknownPartition or ErrorCode.Local_UnknownTopic or ErrorCode.UnknownTopicOrPart)
                        {
                            topicUnknown.Enqueue($"record {number} failed with {report.Error.Code}: {report.Error.Reason}");
                        }
                    }
                    else
                    {
                        acknowledged.Enqueue(new Delivery(report.Partition.Value, report.Offset.Value, number));
                    }
                });
                sequence++;
            }
            catch (ProduceException<string, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
            catch (ProduceException<string, string> e)
            {
                failures.AddOrUpdate("produce(): " + e.Error.Code, 1, (_, n) => n + 1);
                if (e.Error.Code is ErrorCode.Local_UnknownPartition or ErrorCode.Local_UnknownTopic)
                {
                    topicUnknown.Enqueue($"produce() of record {number} raised {e.Error.Code}");
                }

                sequence++;
                Thread.Sleep(10);
            }

            if (sequence % 500 == 0)
            {
                // Keep the pace below what the broker takes, so records queue in flight but not for minutes.
                Thread.Sleep(5);
            }
        }
    }

    private static async Task CreateTopicsAsync(string bootstrap, int nodes, int ballastTopics)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([
            new TopicSpecification { Name = Topic, NumPartitions = Partitions, ReplicationFactor = (short)nodes },
            new TopicSpecification { Name = TransactionTopic, NumPartitions = 1, ReplicationFactor = (short)nodes },
            .. Enumerable.Range(0, ballastTopics).Select(i => new TopicSpecification { Name = $"ballast-{i}", NumPartitions = 3, ReplicationFactor = (short)nodes }),
        ]);
    }

    private static void CommitOffset(string bootstrap, long offset)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = Group, EnableAutoCommit = false }).Build();
        consumer.Commit([new TopicPartitionOffset(Topic, 0, offset)]);
    }

    private static long ReadCommittedOffset(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = Group, EnableAutoCommit = false }).Build();
        return consumer.Committed([new TopicPartition(Topic, 0)], TimeSpan.FromSeconds(60)).Single().Offset.Value;
    }

    private static void CommitTransaction(string bootstrap, int cycle)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            TransactionalId = "chaos-transactions",
            Acks = Acks.All,
        }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(60));
        producer.BeginTransaction();
        for (var i = 0; i < RecordsPerTransaction; i++)
        {
            producer.Produce(TransactionTopic, new Message<string, string> { Key = cycle.ToString(CultureInfo.InvariantCulture), Value = $"{cycle}:{i}" });
        }

        producer.CommitTransaction(TimeSpan.FromSeconds(60));
    }

    private static void CheckTransactions(string bootstrap, int committed, CycleResult result)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "chaos-check-" + Guid.NewGuid(),
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(TransactionTopic, 0, Offset.Beginning));
        var values = consumer.ConsumeToEnd(1, TimeSpan.FromSeconds(60)).Select(r => r.Message.Value).ToList();
        var expected = Enumerable.Range(0, committed).SelectMany(c => Enumerable.Range(0, RecordsPerTransaction).Select(i => $"{c}:{i}")).ToList();
        var missing = expected.Except(values).ToList();
        var doubled = values.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (missing.Count > 0 || doubled.Count > 0)
        {
            result.Violations.Add($"committed transactions: {missing.Count} record(s) missing (first {string.Join(", ", missing.Take(5))}), {doubled.Count} doubled (first {string.Join(", ", doubled.Take(5))})");
        }
    }

    private static void CheckReadBack(string bootstrap, List<Delivery> acknowledged, CycleResult result)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "chaos-check-" + Guid.NewGuid(),
            EnablePartitionEof = true,
            EnableAutoCommit = false,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(Topic, p, Offset.Beginning)));
        var stored = consumer.ConsumeToEnd(Partitions, TimeSpan.FromSeconds(120))
            .Select(r => new Delivery(r.Partition.Value, r.Offset.Value, long.Parse(r.Message.Value, CultureInfo.InvariantCulture)))
            .ToList();
        result.Stored = stored.Count;

        var atOffset = stored.ToDictionary(d => (d.Partition, d.Offset), d => d.Sequence);
        var copies = stored.GroupBy(d => d.Sequence).ToDictionary(g => g.Key, g => g.Count());
        foreach (var delivery in acknowledged)
        {
            if (!atOffset.TryGetValue((delivery.Partition, delivery.Offset), out var found))
            {
                result.AddViolation($"record {delivery.Sequence} acknowledged at {delivery.Partition}/{delivery.Offset} is gone");
            }
            else if (found != delivery.Sequence)
            {
                result.AddViolation($"record {delivery.Sequence} acknowledged at {delivery.Partition}/{delivery.Offset}, but record {found} is there");
            }
            else if (copies[delivery.Sequence] > 1)
            {
                result.AddViolation($"record {delivery.Sequence} acknowledged at {delivery.Partition}/{delivery.Offset} is stored {copies[delivery.Sequence]} times");
            }
        }

        // Produce order: within a partition, acknowledged records sit in the order they were produced.
        foreach (var partition in acknowledged.GroupBy(d => d.Partition))
        {
            Delivery? previous = null;
            foreach (var delivery in partition.OrderBy(d => d.Offset))
            {
                if (previous is { } before && before.Sequence > delivery.Sequence)
                {
                    result.AddViolation($"partition {partition.Key}: record {before.Sequence} at offset {before.Offset} sits before record {delivery.Sequence} at {delivery.Offset} (produced later, acknowledged earlier in the log)");
                }

                previous = delivery;
            }
        }
    }

    private static Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what, BrokerProcess broker) =>
        Poll.UntilAsync(condition, what, timeout, () => $"\nBroker output:\n{broker.Output}");

    private readonly record struct Delivery(int Partition, long Offset, long Sequence);

    private sealed class CycleResult(int nodes, bool idempotent, int cycles, int seed, StringBuilder log)
    {
        public List<string> Violations { get; } = [];

        public int Kills { get; set; }

        public int Restarts { get; set; }

        public int Acknowledged { get; set; }

        public int Stored { get; set; }

        public IReadOnlyDictionary<string, int> Failures { get; set; } = new Dictionary<string, int>();

        public void AddViolation(string violation)
        {
            if (Violations.Count < 50)
            {
                Violations.Add(violation);
            }
        }

        public string Describe() =>
            $"{nodes} node(s), idempotence {(idempotent ? "on" : "off")}, {cycles} cycles, seed {seed}: {Kills} kills, {Restarts} restarts, " +
            $"{Acknowledged} acknowledged, {Stored} stored, failed deliveries {string.Join(", ", Failures.Select(f => $"{f.Key}={f.Value}"))}\n" +
            string.Join('\n', Violations) + "\n" + log;
    }
}

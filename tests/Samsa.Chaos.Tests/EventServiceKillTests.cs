using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Samsa.Chaos.Tests.Support;
using Samsa.TestUtils;

namespace Samsa.Chaos.Tests;

/// <summary>
/// Scenario 3: the EventService, in a child process, is killed with SIGKILL while many clients POST events to it
/// concurrently, and is started again, cycle after cycle. Each request carries a unique id and is sent once (never
/// retried, so a duplicate can only come from the service or its producer). Afterwards every event answered 201 is in
/// Kafka at the partition and offset the answer named, and no event is stored twice. Requests whose answer was lost
/// in a kill may or may not be stored; they are counted, not judged. Short mode: 2 kills; long mode: 30.
/// </summary>
public sealed partial class EventServiceKillTests
{
    private const string Topic = "chaos-http";
    private const int Partitions = 3;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(90);

    /// <param name="idempotent">The producer's <c>enable.idempotence</c>: off is the Development profile's default, on the Production profile's.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EventServiceKill_UnderConcurrentPosts_EveryCreatedEventStoredOnce(bool idempotent)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var cycles = ChaosMode.Size(shortMode: 2, longMode: 30);
        var clients = ChaosMode.Size(shortMode: 24, longMode: 32);
        var random = new Random(ChaosMode.Seed);
        await using var broker = await EmbeddedBroker.StartAsync();
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_PRODUCER_ENABLE_IDEMPOTENCE"] = idempotent ? "true" : "false",
            [$"Kafka__Topics__{Topic}__Partitions"] = Partitions.ToString(CultureInfo.InvariantCulture),
        };

        var tally = new Tally();
        var slot = new ServiceSlot(await EventServiceProcess.StartAsync(settings, cancellationToken));
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientLoopAsync(c, slot, tally, stop.Token), CancellationToken.None)).ToArray();
        var clock = Stopwatch.StartNew();
        try
        {
            for (var cycle = 0; cycle < cycles; cycle++)
            {
                // The kill point: a random number of further 201s, with requests in flight all the time.
                var target = tally.CreatedCount + random.Next(200, 1500);
                await WaitForAsync(() => tally.CreatedCount >= target || load.Any(t => t.IsCompleted), $"cycle {cycle}: {target} events created", slot);
                slot.KillCurrent();
                slot.Restarted(await EventServiceProcess.StartAsync(settings, cancellationToken));
            }

            // The last service takes load too, so the test also sees the service work after a kill.
            var last = tally.CreatedCount + random.Next(200, 1500);
            await WaitForAsync(() => tally.CreatedCount >= last || load.Any(t => t.IsCompleted), $"after the last restart: {last} events created", slot);
        }
        finally
        {
            stop.Cancel();

            // Each request ends within RequestTimeout; its answer still counts.
            await Task.WhenAll(load).WaitAsync(RequestTimeout * 2, CancellationToken.None);
            slot.Dispose();
        }

        var violations = CheckStored(broker.BootstrapServers, tally, out var stored, out var storedUnanswered);
        var summary =
            $"idempotence {(idempotent ? "on" : "off")}, {clients} clients, seed {ChaosMode.Seed}: {slot.Kills} kills in {clock.Elapsed.TotalSeconds:F0} s, " +
            $"{tally.SentCount} requests, {tally.CreatedCount} answered 201, {stored} stored ({storedUnanswered} of them unanswered), " +
            $"failed requests: {tally.DescribeFailures()}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.True(violations.Count == 0, summary + "\n" + string.Join('\n', violations));
    }

    /// <summary>One client: a request at a time, each with a new id, never resent; after a failure it waits for the next service.</summary>
    private static async Task ClientLoopAsync(int client, ServiceSlot slot, Tally tally, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var (service, generation) = slot.Current;
            var id = tally.NextId();
            var request = RawHttp.Request(
                "POST", $"/events/{Topic}", $"{{\"id\":{id},\"client\":{client}}}",
                "Content-Type: application/json", $"X-Event-Key: k{id % 64}");
            string failure;
            try
            {
                var (status, response) = await RawHttp.SendAsync(service, request, closeAfterSend: false, RequestTimeout);
                if (status == 201)
                {
                    tally.Created(id, ParseLocation(response));
                    continue;
                }

                failure = status == 0 ? "closed without an answer" : $"HTTP {status}";
            }
            catch (SocketException e)
            {
                failure = "socket " + e.SocketErrorCode;
            }
            catch (IOException e)
            {
                failure = "I/O " + (e.InnerException is SocketException s ? s.SocketErrorCode.ToString() : e.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                failure = $"no answer within {RequestTimeout.TotalSeconds} s";
            }

            // A failure is put down to a kill when the service it went to has been killed since; any other is suspicious.
            var killed = slot.IsKilled(generation);
            tally.Failed((killed ? "during kill: " : "while up: ") + failure);
            if (killed)
            {
                await slot.WaitForGenerationAsync(generation + 1, stop);
            }
            else
            {
                // Back off a little rather than spin on a service that fails at once.
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    /// <summary>The (partition, offset) of a 201 answer's body; chunked framing around the small JSON body does not split it.</summary>
    private static (int Partition, long Offset)? ParseLocation(string response)
    {
        var match = LocationPattern().Match(response);
        return match.Success
            ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;
    }

    [GeneratedRegex("\"partition\":(\\d+),\"offset\":(\\d+)")]
    private static partial Regex LocationPattern();

    private static List<string> CheckStored(string bootstrap, Tally tally, out int stored, out int storedUnanswered)
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
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(Topic, p, Offset.Beginning)));
        var records = consumer.ConsumeToEnd(Partitions, TimeSpan.FromSeconds(120));
        stored = records.Count;

        var violations = new List<string>();
        var atLocation = new Dictionary<(int, long), long>();
        var copies = new Dictionary<long, int>();
        foreach (var record in records)
        {
            using var json = JsonDocument.Parse(record.Message.Value);
            var id = json.RootElement.GetProperty("id").GetInt64();
            atLocation[(record.Partition.Value, record.Offset.Value)] = id;
            copies[id] = copies.GetValueOrDefault(id) + 1;
        }

        foreach (var (id, location) in tally.CreatedEvents)
        {
            if (location is not { } at)
            {
                violations.Add($"event {id}: the 201 answer names no partition and offset");
            }
            else if (!atLocation.TryGetValue(at, out var found))
            {
                violations.Add($"event {id} answered 201 at {at.Partition}/{at.Offset} is not stored there ({copies.GetValueOrDefault(id)} copies elsewhere)");
            }
            else if (found != id)
            {
                violations.Add($"event {id} answered 201 at {at.Partition}/{at.Offset}, but event {found} is stored there");
            }
        }

        foreach (var (id, count) in copies.Where(c => c.Value > 1))
        {
            violations.Add($"event {id} is stored {count} times ({(tally.WasCreated(id) ? "answered 201" : "answer lost")})");
        }

        var sent = tally.SentCount;
        foreach (var id in copies.Keys.Where(id => id < 1 || id > sent))
        {
            violations.Add($"event {id} is stored but was never sent");
        }

        storedUnanswered = copies.Keys.Count(id => !tally.WasCreated(id));
        return violations.Take(50).ToList();
    }

    private static Task WaitForAsync(Func<bool> condition, string what, ServiceSlot slot) =>
        Poll.UntilAsync(condition, what, ProgressTimeout, () => $"\nService output:\n{slot.Output}");

    /// <summary>What the clients sent and what came back.</summary>
    private sealed class Tally
    {
        private readonly ConcurrentDictionary<long, (int Partition, long Offset)?> _created = new();
        private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
        private long _lastId;

        public int CreatedCount => _created.Count;

        public long SentCount => Interlocked.Read(ref _lastId);

        public IEnumerable<KeyValuePair<long, (int Partition, long Offset)?>> CreatedEvents => _created;

        public long NextId() => Interlocked.Increment(ref _lastId);

        public void Created(long id, (int Partition, long Offset)? location) => _created[id] = location;

        public bool WasCreated(long id) => _created.ContainsKey(id);

        public void Failed(string kind) => _failures.AddOrUpdate(kind, 1, (_, n) => n + 1);

        public string DescribeFailures() =>
            _failures.IsEmpty ? "none" : string.Join(", ", _failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}"));
    }

    /// <summary>
    /// The running service and its generation (1 for the first, +1 per restart). A kill marks the generation killed
    /// before the SIGKILL, so that every request it cuts off is put down to it.
    /// </summary>
    private sealed class ServiceSlot(EventServiceProcess first) : IDisposable
    {
        private readonly Lock _lock = new();
        private EventServiceProcess _service = first;
        private int _generation = 1;
        private int _killedUpTo;
        private TaskCompletionSource _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Kills { get; private set; }

        public string Output
        {
            get
            {
                lock (_lock)
                {
                    return _service.Output;
                }
            }
        }

        public (Uri Address, int Generation) Current
        {
            get
            {
                lock (_lock)
                {
                    return (_service.Address, _generation);
                }
            }
        }

        public bool IsKilled(int generation)
        {
            lock (_lock)
            {
                return generation <= _killedUpTo;
            }
        }

        public void KillCurrent()
        {
            EventServiceProcess service;
            lock (_lock)
            {
                _killedUpTo = _generation;
                service = _service;
            }

            service.Kill();
            Kills++;
        }

        public void Restarted(EventServiceProcess service)
        {
            TaskCompletionSource restarted;
            lock (_lock)
            {
                _service = service;
                _generation++;
                restarted = _restarted;
                _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            restarted.SetResult();
        }

        /// <summary>Returns once the service of <paramref name="generation"/> (or a later one) is up, or <paramref name="stop"/> is cancelled.</summary>
        public async Task WaitForGenerationAsync(int generation, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                Task restarted;
                lock (_lock)
                {
                    if (_generation >= generation)
                    {
                        return;
                    }

                    restarted = _restarted.Task;
                }

                try
                {
                    await restarted.WaitAsync(EventServiceProcess.StartTimeout * 2, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _service.Dispose();
            }
        }
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;
using static Samsa.Tests.Consuming.DeadLetter.DeadLetterTestSupport;

namespace Samsa.Tests.Consuming.DeadLetter;

/// <summary>Replaying dead letters against the embedded broker with real Confluent clients.</summary>
public sealed class DeadLetterReplayerTests
{
    private static readonly string[] TraceContextHeaders = ["traceparent", "tracestate", "baggage"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReplayAsync_PermanentFailureFixed_HandledAgainFromOriginalTopicAndSecondReplayWritesNothing()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        var repaired = new StrongBox<bool>(false);
        handler.Behavior = (e, _, _) => e.Id == 7 && !Volatile.Read(ref repaired.Value)
            ? throw new PermanentFailureException($"event {e.Id} cannot be handled yet")
            : ValueTask.CompletedTask;
        using var host = BuildHost(broker, "orders", "billing", handler);
        await host.StartAsync(Token);
        await ProduceAsync(broker, "orders", [new TestEvent(7)], partition: 1, headers: new Headers { { "tenant", "acme"u8.ToArray() } });
        var dead = Assert.Single(ReadAll(broker, "orders.dlq", 1));
        Assert.Empty(handler.Successes);

        Volatile.Write(ref repaired.Value, true);
        var replayer = host.Services.GetRequiredService<DeadLetterReplayer>();
        var result = await replayer.ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.False(result.DryRun);
        Assert.Equal((1, 1, 1, 0, 0), (result.Scanned, result.Matched, result.Replayed, result.AlreadyReplayed, result.Unreplayable));
        var replayed = Assert.Single(result.Records);
        Assert.Equal(("orders", 1, 1L), (replayed.TargetTopic, replayed.TargetPartition, replayed.TargetOffset));
        Assert.Equal((dead.Partition.Value, dead.Offset.Value), (replayed.DeadLetter.Partition, replayed.DeadLetter.Offset));
        Assert.Equal(typeof(PermanentFailureException).FullName, replayed.DeadLetter.ExceptionType);
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(7), "the replayed event handled");
        Assert.Equal(1, handler.Successes[7]);
        Assert.Equal([(1, 0L), (1, 1L)], handler.Calls.Where(c => c.Id == 7).Select(c => (c.Partition, c.Offset)));

        // A second replay, by another replayer (the ledger is in Kafka, not in memory), writes nothing.
        var again = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.Equal((1, 1, 0, 1), (again.Scanned, again.Matched, again.Replayed, again.AlreadyReplayed));
        Assert.Empty(again.Records);
        Assert.Equal(2, ReadToEnd(broker, "orders", 2).Count);
        var marker = Assert.Single(ReadToEnd(broker, RetryTopicNames.ReplayLedger("orders.dlq"), 1));
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{dead.Partition.Value}:{dead.Offset.Value}"), Key(marker));
        await Task.Delay(300, Token);
        Assert.Equal(1, handler.Successes[7]);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task ReplayAsync_DryRun_WritesNothingAndReportsWhatItWould()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 2), ("orders.dlq", 2));
        await SeedAsync(broker, "orders.dlq", 0, new SeededDeadLetter("a", "orders", 0, 3), new SeededDeadLetter("b", "orders", 1, 4));
        await SeedAsync(broker, "orders.dlq", 1, new SeededDeadLetter("c", "orders", 1, 9));

        var result = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq", DryRun = true }, Token);

        Assert.True(result.DryRun);
        Assert.Equal((3, 3, 3, 0), (result.Scanned, result.Matched, result.Replayed, result.AlreadyReplayed));
        Assert.Equal(
            [("a", "orders", 0, -1L), ("b", "orders", 1, -1L), ("c", "orders", 1, -1L)],
            result.Records.Select(r => (KeyOf(r), r.TargetTopic, r.TargetPartition, r.TargetOffset)).OrderBy(r => r.Item1));
        Assert.Empty(ReadToEnd(broker, "orders", 2));
        Assert.False(TopicExists(broker, RetryTopicNames.ReplayLedger("orders.dlq")), "a dry run creates no ledger");

        // The dry run changed nothing: a real replay still writes all three, and a dry run after it would write none.
        var real = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);
        var after = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq", DryRun = true }, Token);

        Assert.Equal(3, real.Replayed);
        Assert.Equal(3, ReadToEnd(broker, "orders", 2).Count);
        Assert.Equal((0, 3), (after.Replayed, after.AlreadyReplayed));
    }

    [Theory]
    [InlineData("exception simple name", "A,C,E")]
    [InlineData("exception full name", "D")]
    [InlineData("exception nested type", "F")]
    [InlineData("time window", "B,C")]
    [InlineData("time window from", "E,F")]
    [InlineData("original partition", "D,E,F")]
    [InlineData("offset range", "B,C,E")]
    [InlineData("partition and offset range", "E,F")]
    [InlineData("exception and time window", "C,E")]
    [InlineData("everything", "A,B,C,D,E,F")]
    public async Task ReplayAsync_Filter_SelectsOnlyMatchingRecords(string filterName, string expectedKeys)
    {
        await using var broker = await StartBrokerAsync();
        await SeedFilterCasesAsync(broker);

        var result = await Replayer(broker).ReplayAsync(
            new ReplayOptions { DeadLetterTopic = "orders.dlq", DryRun = true, Filter = FilterCases[filterName] }, Token);

        Assert.Equal(6, result.Scanned);
        Assert.Equal(expectedKeys, string.Join(',', result.Records.Select(KeyOf).Order(StringComparer.Ordinal)));
        Assert.Equal(result.Records.Count, result.Matched);
    }

    [Fact]
    public async Task ReplayAsync_FilteredThenAll_WritesTheMatchingRecordsThenOnlyTheRest()
    {
        await using var broker = await StartBrokerAsync();
        await SeedFilterCasesAsync(broker);

        var filtered = await Replayer(broker).ReplayAsync(
            new ReplayOptions { DeadLetterTopic = "orders.dlq", Filter = new ReplayFilter { ExceptionType = "TimeoutException" } }, Token);

        Assert.Equal((6, 3, 3), (filtered.Scanned, filtered.Matched, filtered.Replayed));
        Assert.Equal("A,C,E", string.Join(',', ReadToEnd(broker, "orders", 2).Select(Key).Order(StringComparer.Ordinal)));

        var rest = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.Equal((6, 6, 3, 3), (rest.Scanned, rest.Matched, rest.Replayed, rest.AlreadyReplayed));
        Assert.Equal("A,B,C,D,E,F", string.Join(',', ReadToEnd(broker, "orders", 2).Select(Key).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task ReplayAsync_RateLimit_WaitsOneIntervalBeforeEachRecordAfterTheFirst()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 1), ("orders.dlq", 1));
        await SeedAsync(broker, "orders.dlq", 0, [.. Enumerable.Range(0, 5).Select(i => new SeededDeadLetter($"k{i}", "orders", 0, i))]);
        var clock = new WaitRecordingClock(Start);

        var replay = Replayer(broker, clock).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq", MaxRecordsPerSecond = 2 }, Token);

        // The clock stands still unless the test moves it: each record after the first waits for its turn.
        var interval = TimeSpan.FromMilliseconds(500);
        for (var wait = 1; wait <= 4; wait++)
        {
            await Poll.UntilAsync(() => clock.Waits.Count >= wait || replay.IsCompleted, $"rate-limit wait {wait}");
            Assert.False(replay.IsCompleted, $"the replay finished after {wait - 1} wait(s) of 4");
            Assert.Equal(interval, clock.Waits[wait - 1]);
            clock.Advance(interval);
        }

        var result = await replay;
        Assert.Equal(5, result.Replayed);
        Assert.Equal(4, clock.Waits.Count);
        var replayedAt = ReadToEnd(broker, "orders", 1)
            .OrderBy(r => r.Offset.Value)
            .Select(r => DateTimeOffset.Parse(Header(r, DeadLetterHeaders.ReplayedAt), CultureInfo.InvariantCulture) - Start);
        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => interval * i)], replayedAt);
    }

    [Fact]
    public async Task ReplayAsync_RateLimitAfterALongPause_DoesNotBurstToCatchUp()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 1), ("orders.dlq", 1));
        await SeedAsync(broker, "orders.dlq", 0, [.. Enumerable.Range(0, 4).Select(i => new SeededDeadLetter($"k{i}", "orders", 0, i))]);
        var clock = new WaitRecordingClock(Start);
        var interval = TimeSpan.FromMilliseconds(500);

        var replay = Replayer(broker, clock).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq", MaxRecordsPerSecond = 2 }, Token);

        // Record 1 waits; the clock then jumps 10 s (a stalled write, a long scan): the time lost is not saved up.
        await Poll.UntilAsync(() => clock.Waits.Count >= 1 || replay.IsCompleted, "the first rate-limit wait");
        clock.Advance(TimeSpan.FromSeconds(10));
        for (var wait = 2; wait <= 3; wait++)
        {
            await Poll.UntilAsync(() => clock.Waits.Count >= wait || replay.IsCompleted, $"rate-limit wait {wait}");
            Assert.False(replay.IsCompleted, $"records went in a burst after the pause: {wait - 1} wait(s) of 3");
            Assert.Equal(interval, clock.Waits[wait - 1]);
            clock.Advance(interval);
        }

        Assert.Equal(4, (await replay).Replayed);
        Assert.Equal(3, clock.Waits.Count);
    }

    [Fact]
    public async Task ReplayAsync_NoRateLimit_NeverWaits()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 1), ("orders.dlq", 1));
        await SeedAsync(broker, "orders.dlq", 0, [.. Enumerable.Range(0, 3).Select(i => new SeededDeadLetter($"k{i}", "orders", 0, i))]);
        var clock = new WaitRecordingClock(Start);

        var result = await Replayer(broker, clock).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.Equal(3, result.Replayed);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task ReplayAsync_DeadLettersFromSeveralPartitions_KeepKeyValueAndHeadersOnTheirOriginalPartition()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 3), ("orders.dlq", 3));
        byte[] binary = [0x00, 0xFF, 0xFE, 0x7F, 0x80];
        SeededDeadLetter[] seeds =
        [
            new SeededDeadLetter("p2-a", "orders", 2, 10) { Headers = [("tenant", "acme"u8.ToArray()), ("tag", "x"u8.ToArray()), ("tag", "y"u8.ToArray())] },
            new SeededDeadLetter("p1-a", "orders", 1, 11) { Value = binary, Headers = [("trace", binary)] },
            new SeededDeadLetter("p0-a", "orders", 0, 12) { Headers = [("tenant", "globex"u8.ToArray())] },
            new SeededDeadLetter("p0-b", "orders", 0, 13) { Group = "shipping" },
            new SeededDeadLetter("p2-b", "orders", 2, 14) { Headers = [("empty", [])] },
        ];
        // p2-a and p2-b share a dead-letter partition: only there is their order defined.
        await SeedAsync(broker, "orders.dlq", 0, seeds[0], seeds[1], seeds[4]);
        await SeedAsync(broker, "orders.dlq", 1, seeds[2]);
        await SeedAsync(broker, "orders.dlq", 2, seeds[3]);
        var deadLetters = ReadToEnd(broker, "orders.dlq", 3).ToDictionary(Key);

        var result = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.Equal(5, result.Replayed);
        var written = ReadToEnd(broker, "orders", 3);
        Assert.Equal(5, written.Count);
        foreach (var seed in seeds)
        {
            var record = Assert.Single(written, r => Key(r) == seed.Key);
            var dead = deadLetters[seed.Key];
            Assert.Equal(seed.OriginalPartition, record.Partition.Value);
            Assert.Equal(dead.Message.Value, record.Message.Value);
            // Trace context is left out: replay adds it whenever some ActivityListener in the process samples its span,
            // and the tracing tests of other classes, running in parallel, add such listeners.
            var own = record.Message.Headers.Where(h =>
                !h.Key.StartsWith(DeadLetterHeaders.ReplayPrefix, StringComparison.Ordinal) && !TraceContextHeaders.Contains(h.Key));
            Assert.Equal(seed.Headers.Select(h => (h.Key, Convert.ToHexString(h.Value))), own.Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))));
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"orders.dlq/{dead.Partition.Value}/{dead.Offset.Value}"), Header(record, DeadLetterHeaders.ReplayedFrom));
            Assert.Equal(seed.Group, Header(record, DeadLetterHeaders.ReplayGroup));
            Header(record, DeadLetterHeaders.ReplayedAt);
        }

        // Within one original partition, records keep the order they had in their dead-letter partition.
        Assert.Equal(["p2-a", "p2-b"], written.Where(r => r.Partition.Value == 2).OrderBy(r => r.Offset.Value).Select(Key));
        Assert.Equal(5, ReadToEnd(broker, RetryTopicNames.ReplayLedger("orders.dlq"), 1).Count);
    }

    [Fact]
    public async Task ReplayAsync_TwoThousandDeadLetters_WrittenInOrderPerPartitionEachWithItsLedgerMarker()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 2), ("orders.dlq", 2));
        // Each dead-letter partition holds the dead letters of one original partition, in the order they failed.
        await SeedAsync(broker, "orders.dlq", 0, [.. Enumerable.Range(0, 1000).Select(i => new SeededDeadLetter($"a{i:D4}", "orders", 0, i))]);
        await SeedAsync(broker, "orders.dlq", 1, [.. Enumerable.Range(0, 1000).Select(i => new SeededDeadLetter($"b{i:D4}", "orders", 1, i))]);

        var first = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);
        var second = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.Equal((2000, 0), (first.Replayed, first.AlreadyReplayed));
        Assert.Equal((0, 2000), (second.Replayed, second.AlreadyReplayed));
        var written = ReadToEnd(broker, "orders", 2);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"a{i:D4}"), written.Where(r => r.Partition.Value == 0).OrderBy(r => r.Offset.Value).Select(Key));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"b{i:D4}"), written.Where(r => r.Partition.Value == 1).OrderBy(r => r.Offset.Value).Select(Key));

        // One marker per dead letter, naming where its copy went.
        var markers = ReadToEnd(broker, RetryTopicNames.ReplayLedger("orders.dlq"), 1);
        Assert.Equal(2000, markers.Count);
        Assert.Equal(2000, markers.Select(m => Encoding.UTF8.GetString(m.Message.Key!)).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task ReplayAsync_MaxRecords_StopsThereAndTheNextReplayContinues()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 1), ("orders.dlq", 1));
        await SeedAsync(broker, "orders.dlq", 0, [.. Enumerable.Range(0, 5).Select(i => new SeededDeadLetter($"k{i}", "orders", 0, i))]);

        var first = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq", MaxRecords = 2 }, Token);
        var second = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.Equal((2, true), (first.Replayed, first.Truncated));
        Assert.Equal((3, 2, false), (second.Replayed, second.AlreadyReplayed, second.Truncated));
        Assert.Equal(["k0", "k1", "k2", "k3", "k4"], ReadToEnd(broker, "orders", 1).OrderBy(r => r.Offset.Value).Select(Key));
    }

    [Fact]
    public async Task ReplayAsync_DeadLetterTopicMissing_ThrowsTopicMissing()
    {
        await using var broker = await StartBrokerAsync();

        var exception = await Assert.ThrowsAsync<ReplayException>(() => Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "nothing.dlq" }, Token));

        Assert.True(exception.TopicMissing);
    }

    [Fact]
    public async Task ReplayAsync_OriginalTopicHeaderMissing_CountsItUnreplayable()
    {
        await using var broker = await StartBrokerAsync();
        await CreateTopicsAsync(broker, ("orders", 1), ("orders.dlq", 1));
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(broker.ProducerConfig()).Build())
        {
            await producer.ProduceAsync("orders.dlq", new Message<byte[]?, byte[]?> { Key = "stray"u8.ToArray(), Value = "{}"u8.ToArray() }, Token);
        }

        var result = await Replayer(broker).ReplayAsync(new ReplayOptions { DeadLetterTopic = "orders.dlq" }, Token);

        Assert.Equal((1, 1, 0, 1), (result.Scanned, result.Matched, result.Replayed, result.Unreplayable));
        Assert.Empty(ReadToEnd(broker, "orders", 1));
    }

    [Fact]
    public async Task ListAsync_AfterAFilteredReplay_ListsEveryDeadLetterWithWhetherItWasReplayed()
    {
        await using var broker = await StartBrokerAsync();
        await SeedFilterCasesAsync(broker);
        await Replayer(broker).ReplayAsync(
            new ReplayOptions { DeadLetterTopic = "orders.dlq", Filter = new ReplayFilter { OriginalPartition = 1 } }, Token);

        var all = await Replayer(broker).ListAsync("orders.dlq", cancellationToken: Token);
        var timeouts = await Replayer(broker).ListAsync("orders.dlq", new ReplayFilter { ExceptionType = "TimeoutException" }, Token);

        Assert.Equal((6, 6, 3), (all.Scanned, all.Matched, all.Replayed));
        Assert.Equal(
            "A:False,B:False,C:False,D:True,E:True,F:True",
            string.Join(',', all.Records.Select(r => $"{r.DeadLetter.Key}:{r.Replayed}").Order(StringComparer.Ordinal)));
        var a = Assert.Single(all.Records, r => r.DeadLetter.Key == "A").DeadLetter;
        Assert.Equal(("orders", 0, 0L, "System.TimeoutException", "billing", Start), (a.OriginalTopic, a.OriginalPartition, a.OriginalOffset, a.ExceptionType, a.GroupId, a.LastFailure));
        Assert.Equal((6, 3, 1), (timeouts.Scanned, timeouts.Matched, timeouts.Replayed));
        Assert.Equal(6, ReadToEnd(broker, "orders.dlq", 2).Count);
    }

    [Fact]
    public async Task ListAsync_DeadLetterTopicMissing_ThrowsTopicMissing()
    {
        await using var broker = await StartBrokerAsync();

        var exception = await Assert.ThrowsAsync<ReplayException>(() => Replayer(broker).ListAsync("nothing.dlq", cancellationToken: Token));

        Assert.True(exception.TopicMissing);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("orders/dlq")]
    public async Task ReplayAndList_NotATopicName_ThrowArgumentExceptionBeforeConnecting(string topic)
    {
        var replayer = DeadLetterReplayer.Create(new Samsa.Configuration.KafkaOptions());

        var replay = await Assert.ThrowsAsync<ArgumentException>(() => replayer.ReplayAsync(new ReplayOptions { DeadLetterTopic = topic }, Token));
        var list = await Assert.ThrowsAsync<ArgumentException>(() => replayer.ListAsync(topic, cancellationToken: Token));

        Assert.StartsWith($"'{topic}' is not a Kafka topic name: it ", replay.Message, StringComparison.Ordinal);
        Assert.StartsWith($"'{topic}' is not a Kafka topic name: it ", list.Message, StringComparison.Ordinal);
    }

    /// <summary>The filters of <see cref="ReplayAsync_Filter_SelectsOnlyMatchingRecords"/> over the records of <see cref="SeedFilterCasesAsync"/>.</summary>
    private static readonly Dictionary<string, ReplayFilter> FilterCases = new(StringComparer.Ordinal)
    {
        ["exception simple name"] = new() { ExceptionType = "TimeoutException" },
        ["exception full name"] = new() { ExceptionType = "System.InvalidOperationException" },
        ["exception nested type"] = new() { ExceptionType = "CardDeclinedException" },
        ["time window"] = new() { FailedFrom = Start.AddHours(1), FailedTo = Start.AddHours(3) },
        ["time window from"] = new() { FailedFrom = Start.AddHours(4) },
        ["original partition"] = new() { OriginalPartition = 1 },
        ["offset range"] = new() { FromOffset = 1, ToOffset = 5 },
        ["partition and offset range"] = new() { OriginalPartition = 1, FromOffset = 5 },
        ["exception and time window"] = new() { ExceptionType = "TimeoutException", FailedFrom = Start.AddHours(1) },
        ["everything"] = new(),
    };

    /// <summary>Six dead letters of <c>orders</c> in two dead-letter partitions: A–C from partition 0, D–F from partition 1, an hour apart.</summary>
    private static async Task SeedFilterCasesAsync(EmbeddedBroker broker)
    {
        await CreateTopicsAsync(broker, ("orders", 2), ("orders.dlq", 2));
        await SeedAsync(broker, "orders.dlq", 0,
            new SeededDeadLetter("A", "orders", 0, 0) { ExceptionType = "System.TimeoutException", LastFailure = Start },
            new SeededDeadLetter("B", "orders", 0, 1) { ExceptionType = typeof(PermanentFailureException).FullName!, LastFailure = Start.AddHours(1) },
            new SeededDeadLetter("C", "orders", 0, 2) { ExceptionType = "System.TimeoutException", LastFailure = Start.AddHours(2) });
        await SeedAsync(broker, "orders.dlq", 1,
            new SeededDeadLetter("D", "orders", 1, 0) { ExceptionType = "System.InvalidOperationException", LastFailure = Start.AddHours(3) },
            new SeededDeadLetter("E", "orders", 1, 5) { ExceptionType = "System.TimeoutException", LastFailure = Start.AddHours(4) },
            new SeededDeadLetter("F", "orders", 1, 6) { ExceptionType = "Acme.Billing.PaymentHandler+CardDeclinedException", LastFailure = Start.AddHours(5) });
    }

    private static string KeyOf(ReplayedRecord record) => record.DeadLetter.Key ?? string.Empty;
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Samsa.Consuming.DeadLetter;
using Samsa.TestUtils;

namespace Samsa.Cli.Tests.Commands;

/// <summary>
/// Dead letters written with Samsa's header format by a plain producer, then listed and replayed through the CLI,
/// and the replayed records read back from the original topic with a plain consumer.
/// </summary>
public sealed class DlqCommandTests
{
    private const string Topic = "orders";
    private const string DeadLetters = "orders.dlq";

    [Fact]
    public async Task List_ShowsEveryDeadLetter_WithWhyItFailed()
    {
        await using var broker = await StartWithDeadLettersAsync();

        var run = await CliRun.InvokeAsync(CliRun.Development(broker.BootstrapServers), "dlq", "list", DeadLetters);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("orders.dlq: 3 dead letters, 3 match, 0 of them replayed already.", run.Output, StringComparison.Ordinal);
        Assert.Contains("System.TimeoutException: payment service timed out", run.Output, StringComparison.Ordinal);
        Assert.Contains("orders[1]@41", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_DryRunWritesNothing_ThenReplaysTheFiltered_AndASecondReplaySendsNothing()
    {
        await using var broker = await StartWithDeadLettersAsync();
        var variables = CliRun.Development(broker.BootstrapServers);

        var dryRun = await CliRun.InvokeAsync(variables, "dlq", "replay", DeadLetters, "--exception-type", "TimeoutException", "--dry-run", "--json");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Equal(2, Json(dryRun).GetProperty("replayed").GetInt32());
        Assert.Empty(ReadOriginalTopic(broker));

        var replay = await CliRun.InvokeAsync(variables, "dlq", "replay", DeadLetters, "--exception-type", "TimeoutException");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Contains("orders.dlq: 3 dead letters, 2 match; replayed 2, 0 replayed before, 0 cannot be replayed.", replay.Output, StringComparison.Ordinal);
        var replayed = ReadOriginalTopic(broker);
        Assert.Equal(["order-1", "order-3"], replayed.Select(r => r.Message.Key).Order(StringComparer.Ordinal));
        Assert.All(replayed, r => Assert.Contains(r.Message.Headers, h => h.Key == DeadLetterHeaders.ReplayedFrom));

        var again = await CliRun.InvokeAsync(variables, "dlq", "replay", DeadLetters, "--exception-type", "TimeoutException");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("replayed 0, 2 replayed before", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, ReadOriginalTopic(broker).Count);

        var listed = await CliRun.InvokeAsync(variables, "dlq", "list", DeadLetters);
        Assert.Contains("3 dead letters, 3 match, 2 of them replayed already.", listed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_RefusesABadTime_AndAMissingTopic_WithAClearMessage()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var variables = CliRun.Development(broker.BootstrapServers);

        var badTime = await CliRun.InvokeAsync(variables, "dlq", "replay", DeadLetters, "--failed-from", "yesterday");
        var missing = await CliRun.InvokeAsync(variables, "dlq", "replay", "nowhere.dlq");

        Assert.True(badTime.ExitCode == 2, badTime.ToString());
        Assert.Contains("--failed-from expects an ISO 8601 time", badTime.Error, StringComparison.Ordinal);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("nowhere.dlq", missing.Error, StringComparison.Ordinal);
    }

    /// <summary>Every filter flag is a <see cref="ReplayFilter"/> property in kebab-case; the flags' old names still work, unlisted.</summary>
    [Fact]
    public async Task List_FilterFlagsAreTheLibrarysNames_OldNamesStillWork()
    {
        await using var broker = await StartWithDeadLettersAsync();
        var variables = CliRun.Development(broker.BootstrapServers);

        var current = await CliRun.InvokeAsync(variables, "dlq", "list", DeadLetters, "--json", "--exception-type", "TimeoutException", "--original-partition", "2",
            "--from-offset", "5", "--to-offset", "5", "--group-id", "billing", "--reason", DeadLetterReasons.Permanent,
            "--failed-from", "2000-01-01T00:00:00Z", "--failed-to", "2100-01-01T00:00:00Z");
        var old = await CliRun.InvokeAsync(variables, "dlq", "list", DeadLetters, "--json", "--partition", "2", "--group", "billing",
            "--failed-after", "2000-01-01T00:00:00Z", "--failed-before", "2100-01-01T00:00:00Z");
        var none = await CliRun.InvokeAsync(variables, "dlq", "list", DeadLetters, "--json", "--group-id", "audit", "--failed-to", "2000-01-01T00:00:00Z");
        var help = await CliRun.InvokeAsync(variables, "dlq", "list", "--help");

        Assert.True(current.ExitCode == 0, current.ToString());
        Assert.Equal("order-3", Assert.Single(Json(current).GetProperty("records").EnumerateArray()).GetProperty("deadLetter").GetProperty("key").GetString());
        Assert.True(old.ExitCode == 0, old.ToString());
        Assert.Equal("order-3", Assert.Single(Json(old).GetProperty("records").EnumerateArray()).GetProperty("deadLetter").GetProperty("key").GetString());
        Assert.Equal(0, Json(none).GetProperty("matched").GetInt32());
        foreach (var flag in new[] { "--exception-type", "--failed-from", "--failed-to", "--original-partition", "--from-offset", "--to-offset", "--group-id", "--reason" })
        {
            Assert.Contains(flag, help.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("--failed-after", help.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--partition ", help.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list", ".")]
    [InlineData("list", "..")]
    [InlineData("replay", "bad!topic.dlq")]
    public async Task ListAndReplay_NotATopicName_Exit2BeforeConnecting(string command, string topic)
    {
        // Nothing listens on port 1: the name is refused before any connection is tried.
        var run = await CliRun.InvokeAsync(CliRun.Development("127.0.0.1:1"), "dlq", command, topic);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains($"'{topic}' is not a Kafka topic name", run.Error, StringComparison.Ordinal);
    }

    private static JsonElement Json(CliRun run) => JsonDocument.Parse(run.Output).RootElement;

    private static async Task<EmbeddedBroker> StartWithDeadLettersAsync()
    {
        var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.SeedTopics[Topic] = 3;
            o.SeedTopics[DeadLetters] = 3;
        });
        using var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build();
        await producer.ProduceAsync(DeadLetters, DeadLetter("order-1", 0, 17, "System.TimeoutException", "payment service timed out"));
        await producer.ProduceAsync(DeadLetters, DeadLetter("order-2", 1, 41, "System.FormatException", "amount is not a number"));
        await producer.ProduceAsync(DeadLetters, DeadLetter("order-3", 2, 5, "System.TimeoutException", "payment service timed out"));
        return broker;
    }

    private static Message<string, string> DeadLetter(string key, int partition, long offset, string exceptionType, string exceptionMessage)
    {
        static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);
        return new Message<string, string>
        {
            Key = key,
            Value = $$"""{"id":"{{key}}"}""",
            Headers = new Headers
            {
                { DeadLetterHeaders.OriginalTopic, Text(Topic) },
                { DeadLetterHeaders.OriginalPartition, Text(partition.ToString(CultureInfo.InvariantCulture)) },
                { DeadLetterHeaders.OriginalOffset, Text(offset.ToString(CultureInfo.InvariantCulture)) },
                { DeadLetterHeaders.Group, Text("billing") },
                { DeadLetterHeaders.Reason, Text(DeadLetterReasons.Permanent) },
                { DeadLetterHeaders.ExceptionType, Text(exceptionType) },
                { DeadLetterHeaders.ExceptionMessage, Text(exceptionMessage) },
                { DeadLetterHeaders.Attempts, Text("3") },
            },
        };
    }

    /// <summary>Everything in the original topic, read to its end.</summary>
    private static List<ConsumeResult<string, string>> ReadOriginalTopic(EmbeddedBroker broker)
    {
        using var consumer = new ConsumerBuilder<string, string>(broker.ConsumerConfig("reader-" + Guid.NewGuid().ToString("N"), c => c.EnablePartitionEof = true)).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(Topic, p, Offset.Beginning)));
        return consumer.ConsumeToEnd(3, TimeSpan.FromSeconds(20));
    }
}

using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Time.Testing;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.TestUtils;

namespace Samsa.Tests.Consuming.DeadLetter;

/// <summary>
/// A dead letter written straight to a dead-letter topic, as <see cref="DeadLetterWriter"/> would have written it, so a
/// test can choose its exception, failure time and original partition and offset.
/// </summary>
internal sealed record SeededDeadLetter(string Key, string OriginalTopic, int OriginalPartition, long OriginalOffset)
{
    public byte[]? Value { get; init; }

    public string ExceptionType { get; init; } = typeof(TimeoutException).FullName!;

    public DateTimeOffset LastFailure { get; init; } = DeadLetterTestSupport.Start;

    public string Group { get; init; } = "billing";

    /// <summary>The record's own headers, kept through dead-lettering and replay.</summary>
    public IReadOnlyList<(string Key, byte[] Value)> Headers { get; init; } = [];
}

/// <summary>A fake clock that also keeps every timer's due time: each is one wait of the replay's rate limit.</summary>
internal sealed class WaitRecordingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly ConcurrentQueue<TimeSpan> _waits = new();

    public IReadOnlyList<TimeSpan> Waits => [.. _waits];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _waits.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}

internal static class DeadLetterTestSupport
{
    public static readonly DateTimeOffset Start = new(2026, 8, 21, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A replayer on the broker's clients, outside dependency injection.</summary>
    public static DeadLetterReplayer Replayer(EmbeddedBroker broker, TimeProvider? timeProvider = null) =>
        new(
            () => broker.ConsumerConfig(),
            () => broker.ProducerConfig(),
            () => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build(),
            timeProvider ?? TimeProvider.System,
            logger: null);

    public static async Task CreateTopicsAsync(EmbeddedBroker broker, params (string Name, int Partitions)[] topics)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([.. topics.Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = 1 })]);
    }

    /// <summary>Writes <paramref name="deadLetters"/> to <paramref name="partition"/> of <paramref name="topic"/>, in order.</summary>
    public static async Task SeedAsync(EmbeddedBroker broker, string topic, int partition, params SeededDeadLetter[] deadLetters)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(broker.ProducerConfig()).Build();
        foreach (var deadLetter in deadLetters)
        {
            var headers = new Headers();
            foreach (var (key, value) in deadLetter.Headers)
            {
                headers.Add(key, value);
            }

            headers.Add(DeadLetterHeaders.OriginalTopic, HeaderValues.Text(deadLetter.OriginalTopic));
            headers.Add(DeadLetterHeaders.OriginalPartition, HeaderValues.Number(deadLetter.OriginalPartition));
            headers.Add(DeadLetterHeaders.OriginalOffset, HeaderValues.Number(deadLetter.OriginalOffset));
            headers.Add(DeadLetterHeaders.Group, HeaderValues.Text(deadLetter.Group));
            headers.Add(DeadLetterHeaders.Reason, HeaderValues.Text(DeadLetterReasons.Permanent));
            headers.Add(DeadLetterHeaders.ExceptionType, HeaderValues.Text(deadLetter.ExceptionType));
            headers.Add(DeadLetterHeaders.ExceptionMessage, HeaderValues.Text("it failed"));
            headers.Add(DeadLetterHeaders.Attempts, HeaderValues.Number(1));
            headers.Add(DeadLetterHeaders.FirstFailure, HeaderValues.Time(deadLetter.LastFailure));
            headers.Add(DeadLetterHeaders.LastFailure, HeaderValues.Time(deadLetter.LastFailure));
            var message = new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes(deadLetter.Key),
                Value = deadLetter.Value ?? Encoding.UTF8.GetBytes($"{{\"key\":\"{deadLetter.Key}\"}}"),
                Headers = headers,
            };
            await producer.ProduceAsync(new TopicPartition(topic, partition), message);
        }
    }

    /// <summary>Every record of <paramref name="topic"/>, read to the end it has now.</summary>
    public static List<ConsumeResult<byte[]?, byte[]?>> ReadToEnd(EmbeddedBroker broker, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig($"read-{Guid.NewGuid():N}")).Build();
        var expected = 0L;
        for (var partition = 0; partition < partitions; partition++)
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(10));
            expected += marks.High.Value - marks.Low.Value;
        }

        if (expected == 0)
        {
            return [];
        }

        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = consumer.ConsumeMany((int)expected, ConsumingTestSupport.Wait);
        Assert.Equal(expected, records.Count);
        return records;
    }

    /// <summary>True when <paramref name="topic"/> exists.</summary>
    public static bool TopicExists(EmbeddedBroker broker, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Any(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0);
    }

    public static string Key(ConsumeResult<byte[]?, byte[]?> record) => Encoding.UTF8.GetString(record.Message.Key!);
}

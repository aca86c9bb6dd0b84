using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.Broker;
using Samsa.Consuming;
using Samsa.DependencyInjection;
using Samsa.TestUtils;
using Samsa.Tests.DependencyInjection;

namespace Samsa.Tests.Consuming;

/// <summary>The event the consuming tests send: an id, and what the handler should do with it.</summary>
public sealed record TestEvent(int Id, string? Fail = null);

/// <summary>
/// A singleton handler that records every call and does what each event's <see cref="TestEvent.Fail"/> says, or what
/// the test's <see cref="Behavior"/> says: return, throw, or wait.
/// </summary>
public sealed class RecordingHandler : IEventHandler<TestEvent>
{
    private readonly ConcurrentQueue<Call> _calls = new();
    private readonly ConcurrentDictionary<int, int> _successes = new();

    /// <summary>Called for each event; the default succeeds unless the event says <c>permanent</c> or <c>transient:n</c>.</summary>
    public Func<TestEvent, ConsumeContext, CancellationToken, ValueTask>? Behavior { get; set; }

    public IReadOnlyList<Call> Calls => [.. _calls];

    /// <summary>Ids handled successfully (with how many times each).</summary>
    public IReadOnlyDictionary<int, int> Successes => _successes;

    public int SuccessCount => _successes.Values.Sum();

    public async ValueTask HandleAsync(TestEvent @event, ConsumeContext context, CancellationToken cancellationToken)
    {
        _calls.Enqueue(new Call(@event.Id, context.Topic, context.Partition, context.Offset, context.Attempt, context.RetryLevel));
        if (Behavior is { } behavior)
        {
            await behavior(@event, context, cancellationToken);
        }
        else if (@event.Fail == "permanent")
        {
            throw new Samsa.Consuming.Retry.PermanentFailureException($"event {@event.Id} can never be handled");
        }
        else if (@event.Fail is { } fail && fail.StartsWith("transient:", StringComparison.Ordinal)
            && context.Attempt <= int.Parse(fail["transient:".Length..], System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new TimeoutException($"event {@event.Id} timed out on attempt {context.Attempt}");
        }

        _successes.AddOrUpdate(@event.Id, 1, (_, n) => n + 1);
    }

    public sealed record Call(int Id, string Topic, int Partition, long Offset, int Attempt, int RetryLevel);
}

internal static class ConsumingTestSupport
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A broker for consumer tests: no initial rebalance delay, and short session timeouts allowed.</summary>
    public static Task<EmbeddedBroker> StartBrokerAsync() =>
        EmbeddedBroker.StartAsync(options =>
        {
            options.GroupInitialRebalanceDelay = TimeSpan.Zero;
            options.GroupMinSessionTimeout = TimeSpan.FromMilliseconds(500);
            options.OffsetsTopicPartitions = 3;
        });

    /// <summary>
    /// A broker for fault tests: as <see cref="StartBrokerAsync()"/> with <paramref name="nodes"/> nodes (topics
    /// replicated to all of them) and the request log on; its faults are <c>broker.Cluster.Faults</c>.
    /// </summary>
    public static Task<EmbeddedBroker> StartFaultBrokerAsync(int nodes = 1) =>
        EmbeddedBroker.StartAsync(
            options =>
            {
                options.NodeCount = nodes;
                options.DefaultReplicationFactor = (short)nodes;
                options.OffsetsTopicReplicationFactor = (short)nodes;
                options.TransactionStateTopicReplicationFactor = (short)nodes;
                options.GroupInitialRebalanceDelay = TimeSpan.Zero;
                options.GroupMinSessionTimeout = TimeSpan.FromMilliseconds(500);
                options.OffsetsTopicPartitions = 3;
            },
            cluster => cluster.LogRequests = true);

    /// <summary>Fast settings for tests: short commit interval and retry waits, short session timeout.</summary>
    public static void Fast(ConsumerOptions options)
    {
        options.CommitInterval = TimeSpan.FromMilliseconds(100);
        options.Retry.BaseDelay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(40);
        options.DependencyProbeInterval = TimeSpan.FromMilliseconds(50);
        options.ShutdownTimeout = TimeSpan.FromSeconds(5);
        options.RevokeTimeout = TimeSpan.FromSeconds(5);
        options.ConfigureConsumer = config =>
        {
            config.SessionTimeoutMs = 3000;
            config.HeartbeatIntervalMs = 250;
            config.FetchWaitMaxMs = 20;
            config.TopicMetadataRefreshIntervalMs = 1000;
            config.MaxPollIntervalMs = 10_000;
        };
        options.ConfigureProducer = config =>
        {
            config.LingerMs = 1;
            config.MessageTimeoutMs = 10_000;
        };
    }

    /// <summary>A host with one consumer of <paramref name="topic"/> (declared with <paramref name="partitions"/>, and <paramref name="replicationFactor"/> when set) calling <paramref name="handler"/>.</summary>
    public static IHost BuildHost(
        EmbeddedBroker broker,
        string topic,
        string group,
        RecordingHandler handler,
        int partitions = 2,
        Action<ConsumerOptions>? configure = null,
        Action<SamsaKafkaBuilder>? more = null,
        short? replicationFactor = null)
    {
        return SamsaTestHost.Build(broker.BootstrapServers, samsa =>
        {
            samsa.Services.AddSingleton(handler);
            samsa.AddTopic(topic, t =>
                {
                    t.Partitions = partitions;
                    t.ReplicationFactor = replicationFactor;
                })
                .AddConsumer<RecordingHandler, TestEvent>(topic, group, options =>
                {
                    Fast(options);
                    configure?.Invoke(options);
                });
            more?.Invoke(samsa);
        });
    }

    public static ConsumerWorker Worker(this IHost host, string topic, string group) =>
        host.Services.GetRequiredService<ConsumerWorkers>().Get(topic, group);

    /// <summary>Waits until the worker holds <paramref name="partitions"/> partitions.</summary>
    public static Task WaitForAssignmentAsync(this ConsumerWorker worker, int partitions) =>
        Poll.UntilAsync(() => worker.GetStatus().AssignedPartitions.Count == partitions, $"{worker.Topic} assigned {partitions} partition(s)");

    public static byte[] Json(TestEvent @event) => JsonSerializer.SerializeToUtf8Bytes(@event, JsonSerializerOptions.Web);

    /// <summary>Produces the events (keyed by id unless a partition is given) and waits for every acknowledgement.</summary>
    public static async Task ProduceAsync(EmbeddedBroker broker, string topic, IEnumerable<TestEvent> events, int? partition = null, Headers? headers = null)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(broker.ProducerConfig()).Build();
        var sends = events.Select(e =>
        {
            var message = new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"k-{e.Id}"), Value = Json(e), Headers = headers };
            return partition is { } p
                ? producer.ProduceAsync(new TopicPartition(topic, p), message)
                : producer.ProduceAsync(topic, message);
        }).ToList();
        await Task.WhenAll(sends);
    }

    /// <summary>Produces raw values to one partition.</summary>
    public static async Task ProduceRawAsync(EmbeddedBroker broker, string topic, int partition, params byte[]?[] values)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(broker.ProducerConfig()).Build();
        foreach (var value in values)
        {
            await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes("poison"), Value = value });
        }
    }

    /// <summary>Every record of <paramref name="topic"/> (all its partitions), read from the start until <paramref name="count"/> arrived.</summary>
    public static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(EmbeddedBroker broker, string topic, int count, int partitions = 2, TimeSpan? timeout = null)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig($"read-{Guid.NewGuid():N}")).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer.ConsumeMany(count, timeout ?? Wait);
    }

    /// <summary>The committed offsets of <paramref name="group"/> on <paramref name="topic"/>, by partition (-1 for none).</summary>
    public static async Task<Dictionary<int, long>> CommittedAsync(EmbeddedBroker broker, string group, string topic, int partitions = 2)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var result = await admin.ListConsumerGroupOffsetsAsync(
            [new ConsumerGroupTopicPartitions(group, [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))])]);
        return result.Single().Partitions.ToDictionary(p => p.Partition.Value, p => Math.Max(-1, p.Offset.Value));
    }

    public static string Header(ConsumeResult<byte[]?, byte[]?> record, string key) =>
        record.Message.Headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"Header {key} is missing.");

    public static TestEvent Event(ConsumeResult<byte[]?, byte[]?> record) => JsonSerializer.Deserialize<TestEvent>(record.Message.Value, JsonSerializerOptions.Web)!;

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

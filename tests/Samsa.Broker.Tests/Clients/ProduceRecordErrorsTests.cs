using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Per-record produce errors (KIP-467) as librdkafka sees them: the broker names the bad records of
/// a refused batch, so exactly those fail with the partition's error and the rest as collateral.
/// </summary>
public sealed class ProduceRecordErrorsTests
{
    private const int Records = 100;

    [Fact]
    public async Task Produce_CompactedTopicBatchWithTenKeylessRecords_FailsExactlyThoseAsInvalidRecord()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await CreateTopicAsync(broker, "compacted", new() { ["cleanup.policy"] = "compact" });
        var keyless = Enumerable.Range(0, Records).Where(i => i % 10 == 3).ToHashSet();

        var reports = await ProduceOneBatchAsync(broker, "compacted", i => keyless.Contains(i) ? null : $"k{i}", _ => null);

        Assert.Equal(keyless.Order(), reports.Where(r => r.Value.Code == ErrorCode.InvalidRecord).Select(r => r.Key).Order());
        var collateral = reports.Where(r => !keyless.Contains(r.Key)).Select(r => r.Value).ToList();
        Assert.Equal(Records - keyless.Count, collateral.Count);
        Assert.All(collateral, e => Assert.Equal(CollateralError, e.Code));
        Assert.Equal(0, broker.Broker.Cluster.TryGetTopic("compacted", out var topic) ? topic.Partitions[0].HighWatermark : -1);
    }

    [Fact]
    public async Task Produce_TimestampsBeyondAfterMax_FailsExactlyThoseRecords()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await CreateTopicAsync(broker, "bounded", new() { ["message.timestamp.after.max.ms"] = "3600000" });
        var future = new HashSet<int> { 0, 41, 99 };
        var now = TimeProvider.System.GetUtcNow();

        var reports = await ProduceOneBatchAsync(broker, "bounded", i => $"k{i}", i => future.Contains(i) ? now.AddDays(2) : now);

        // The partition answers INVALID_TIMESTAMP (see ProduceHandlerTests); librdkafka fails every
        // record named in record_errors as INVALID_RECORD, whatever the partition's code.
        Assert.Equal(future.Order(), reports.Where(r => r.Value.Code == ErrorCode.InvalidRecord).Select(r => r.Key).Order());
        Assert.All(reports.Where(r => !future.Contains(r.Key)), r => Assert.Equal(CollateralError, r.Value.Code));
    }

    [Fact]
    public async Task Produce_TimestampsWithinBounds_AreAppended()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await CreateTopicAsync(broker, "bounded", new() { ["message.timestamp.before.max.ms"] = "3600000", ["message.timestamp.after.max.ms"] = "3600000" });

        var reports = await ProduceOneBatchAsync(broker, "bounded", i => $"k{i}", _ => TimeProvider.System.GetUtcNow().AddMinutes(-5));

        Assert.All(reports.Values, e => Assert.Equal(ErrorCode.NoError, e.Code));
    }

    /// <summary>librdkafka's code for a record refused only because another one in its batch was (RD_KAFKA_RESP_ERR__INVALID_DIFFERENT_RECORD).</summary>
    private static ErrorCode CollateralError => (ErrorCode)(-138);

    private static async Task CreateTopicAsync(EmbeddedBroker broker, string name, Dictionary<string, string> configs)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = 1, Configs = configs }]);
    }

    /// <summary>Produces <see cref="Records"/> records that librdkafka sends as one batch, and returns each one's delivery error by index.</summary>
    private static async Task<Dictionary<int, Error>> ProduceOneBatchAsync(EmbeddedBroker broker, string topic, Func<int, string?> key, Func<int, DateTimeOffset?> timestamp)
    {
        var reports = new Dictionary<int, Error>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var producer = new ProducerBuilder<string?, string>(broker.ProducerConfig(c =>
        {
            c.LingerMs = 5_000;
            c.BatchNumMessages = Records;
            c.EnableIdempotence = false;
            c.MessageSendMaxRetries = 0;
        })).Build();
        for (var i = 0; i < Records; i++)
        {
            var index = i;
            var message = new Message<string?, string> { Key = key(i), Value = $"v{i}" };
            if (timestamp(i) is { } at)
            {
                message.Timestamp = new Timestamp(at);
            }

            producer.Produce(new TopicPartition(topic, 0), message, report =>
            {
                lock (reports)
                {
                    reports[index] = report.Error;
                    if (reports.Count == Records)
                    {
                        done.TrySetResult();
                    }
                }
            });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return reports;
    }
}

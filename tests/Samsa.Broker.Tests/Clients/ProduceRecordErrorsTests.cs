using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ApiKey = Samsa.Protocol.ApiKey;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Per-record produce errors (KIP-467) as librdkafka sees them: the broker names the bad records of
/// a refused batch, so exactly those fail with the partition's error and the rest of that batch as
/// collateral. librdkafka usually sends the 100 records as one batch, but may split them (a flush
/// racing the first metadata answer): the expected outcome of each record is derived from the batches
/// the broker's request log shows it received, so a split changes which records succeed, never whether
/// the test can fail.
/// </summary>
public sealed class ProduceRecordErrorsTests
{
    private const int Records = 100;

    [Fact]
    public async Task Produce_CompactedTopicBatchWithTenKeylessRecords_FailsExactlyThoseAsInvalidRecord()
    {
        await using var broker = await EmbeddedBroker.StartAsync(cluster: o => o.LogRequests = true);
        await CreateTopicAsync(broker, "compacted", new() { ["cleanup.policy"] = "compact" });
        var keyless = Enumerable.Range(0, Records).Where(i => i % 10 == 3).ToHashSet();

        var reports = await ProduceOneBatchAsync(broker, "compacted", i => keyless.Contains(i) ? null : $"k{i}", _ => null);

        var batches = ProducedBatches(broker, "compacted");
        AssertOutcomes(reports, batches, keyless);
        var appended = batches.Where(b => !b.Overlaps(keyless)).Sum(b => b.Count);
        Assert.Equal(appended, broker.Broker.Cluster.TryGetTopic("compacted", out var topic) ? topic.Partitions[0].HighWatermark : -1);
    }

    [Fact]
    public async Task Produce_TimestampsBeyondAfterMax_FailsExactlyThoseRecords()
    {
        await using var broker = await EmbeddedBroker.StartAsync(cluster: o => o.LogRequests = true);
        await CreateTopicAsync(broker, "bounded", new() { ["message.timestamp.after.max.ms"] = "3600000" });
        var future = new HashSet<int> { 0, 41, 99 };
        var now = TimeProvider.System.GetUtcNow();

        var reports = await ProduceOneBatchAsync(broker, "bounded", i => $"k{i}", i => future.Contains(i) ? now.AddDays(2) : now);

        // The partition answers INVALID_TIMESTAMP (see ProduceHandlerTests); librdkafka fails every
        // record named in record_errors as INVALID_RECORD, whatever the partition's code.
        AssertOutcomes(reports, ProducedBatches(broker, "bounded"), future);
    }

    [Fact]
    public async Task Produce_TimestampsWithinBounds_AreAppended()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await CreateTopicAsync(broker, "bounded", new() { ["message.timestamp.before.max.ms"] = "3600000", ["message.timestamp.after.max.ms"] = "3600000" });

        var reports = await ProduceOneBatchAsync(broker, "bounded", i => $"k{i}", _ => TimeProvider.System.GetUtcNow().AddMinutes(-5));

        Assert.All(reports.Values, e => Assert.Equal(ErrorCode.NoError, e.Code));
    }

    /// <summary>
    /// Each bad record fails as INVALID_RECORD; a good record fails as collateral when its batch held a
    /// bad one and is acknowledged otherwise. Every record must have been in exactly one batch.
    /// </summary>
    private static void AssertOutcomes(Dictionary<int, Error> reports, IReadOnlyList<HashSet<int>> batches, HashSet<int> bad)
    {
        Assert.Equal(Records, batches.Sum(b => b.Count));
        foreach (var batch in batches)
        {
            var refused = batch.Overlaps(bad);
            foreach (var index in batch.Order())
            {
                var expected = bad.Contains(index) ? ErrorCode.InvalidRecord : refused ? CollateralError : ErrorCode.NoError;
                Assert.True(expected == reports[index].Code, $"record {index} in batch [{batch.Min()}..{batch.Max()}] of {batches.Count}: expected {expected}, got {reports[index].Code}");
            }
        }
    }

    /// <summary>
    /// The records of each Produce the broker received for <paramref name="topic"/>, as indexes in produce order
    /// (with retries off and one partition, batches hold consecutive records in the order they were sent).
    /// </summary>
    private static IReadOnlyList<HashSet<int>> ProducedBatches(EmbeddedBroker broker, string topic)
    {
        var batches = new List<HashSet<int>>();
        var next = 0;
        foreach (var produced in broker.Cluster.Requests.Where(r => r.Api == ApiKey.Produce).SelectMany(r => r.Partitions).Where(p => p.Topic == topic))
        {
            batches.Add(Enumerable.Range(next, produced.RecordCount).ToHashSet());
            next += produced.RecordCount;
        }

        return batches;
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

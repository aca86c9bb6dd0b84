using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker.Groups;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Compacted topics as real clients see them (Confluent.Kafka/librdkafka, kafka-python): gaps in offsets, latest value per key, aborted transactions gone, <c>__consumer_offsets</c>, replicas.</summary>
public sealed class CompactionClientTests : IDisposable
{
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-compaction-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    [Fact]
    public async Task Compaction_ManyUpdatesToFewKeys_ConsumerFromBeginningSeesLatestPerKeyAndReachesEnd()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = "compacted",
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact", ["segment.bytes"] = "1024" },
            }]);
        }

        var latest = new Dictionary<string, string>();
        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig(c =>
        {
            // Many small batches, so most of them land in closed segments.
            c.CompressionType = CompressionType.Zstd;
            c.BatchNumMessages = 10;
        })).Build())
        {
            for (var i = 0; i < 1_000; i++)
            {
                // Ten keys written once each, every hundred records, leave gaps between what survives.
                var key = i % 100 == 0 ? $"once{i / 100}" : $"k{i % 10}";
                latest[key] = $"v{i}-{new string('x', i % 50)}";
                producer.Produce("compacted", new Message<string, string> { Key = key, Value = latest[key] });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));

            var keyless = await Assert.ThrowsAsync<ProduceException<string, string>>(
                () => producer.ProduceAsync("compacted", new Message<string, string> { Key = null!, Value = "no key" }));
            Assert.Equal(ErrorCode.InvalidRecord, keyless.Error.Code);
        }

        broker.Broker.Cluster.Housekeeping();

        using var consumer = new ConsumerBuilder<string, string>(broker.ConsumerConfig("compaction-reader", c => c.EnablePartitionEof = true)).Build();
        consumer.Assign(new TopicPartitionOffset("compacted", 0, Offset.Beginning));
        var received = consumer.ConsumeToEnd(1, TimeSpan.FromSeconds(30));

        Assert.NotEmpty(received);
        Assert.Equal(0, received[0].Offset.Value);
        Assert.Equal(999, received[^1].Offset.Value);
        Assert.True(received.Count < 500, $"{received.Count} of 1000 records still there");
        var offsets = received.Select(r => r.Offset.Value).ToList();
        Assert.Equal(offsets.Distinct().Order(), offsets);
        Assert.True(offsets.Zip(offsets.Skip(1)).Any(pair => pair.Second > pair.First + 1), $"the offsets have gaps: {string.Join(",", offsets.Take(30))}");
        var lastSeen = received.GroupBy(r => r.Message.Key).ToDictionary(g => g.Key, g => g.Last().Message.Value);
        Assert.Equal(latest.OrderBy(kv => kv.Key), lastSeen.OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task Compaction_KafkaPythonConsumer_ReadsAcrossGapsToTheEnd()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "/usr/bin/python3 is missing; scripts/install-test-deps.sh installs python3-kafka for it.");
        await using var broker = await EmbeddedBroker.StartAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = "compacted-py",
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact", ["segment.bytes"] = "1024", ["min.cleanable.dirty.ratio"] = "0.01" },
            }]);
        }

        var latest = new Dictionary<string, string>();
        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig(c => c.BatchNumMessages = 10)).Build())
        {
            for (var i = 0; i < 300; i++)
            {
                var key = i % 30 == 0 ? $"once{i}" : $"k{i % 7}";
                latest[key] = $"v{i}";
                producer.Produce("compacted-py", new Message<string, string> { Key = key, Value = latest[key] });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        broker.Broker.Cluster.Housekeeping();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "python", "consume_compacted.py");

        var run = await ExternalProcess.RunAsync("/usr/bin/python3", [script, broker.BootstrapServers, "compacted-py"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var output = System.Text.Json.JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]);
        var root = output.RootElement;
        Assert.Equal(300, root.GetProperty("end_offset").GetInt64());
        Assert.Equal(300, root.GetProperty("position").GetInt64());
        var records = root.GetProperty("records").EnumerateArray()
            .Select(r => (Offset: r[0].GetInt64(), Key: r[1].GetString()!, Value: r[2].GetString()!)).ToList();
        Assert.True(records.Count < 200, $"{records.Count} of 300 records still there");
        Assert.Equal(records.Select(r => r.Offset).Order(), records.Select(r => r.Offset));
        Assert.All(records, r => Assert.Equal($"v{r.Offset}", r.Value));
        Assert.Equal(latest.OrderBy(kv => kv.Key), records.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last().Value).OrderBy(kv => kv.Key));
    }

    [Fact]
    public async Task Compaction_ConsumerOffsetsAfterManyCommits_LogShrinksAndRestartKeepsCommittedOffsets()
    {
        var partition = new TopicPartition("source", 0);
        long offsetsLogEnd;
        await using (var broker = await StartDurableAsync())
        {
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = "source", NumPartitions = 1, ReplicationFactor = 1 }]);
            }

            using (var consumer = new ConsumerBuilder<Ignore, Ignore>(broker.ConsumerConfig("committer")).Build())
            {
                consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
                consumer.Commit([new TopicPartitionOffset(partition, 1)]);

                // Kafka's 100 MiB segments would never roll here: make them small, as an operator can.
                Assert.True(broker.Broker.Cluster.TryGetTopic(GroupCoordinator.OffsetsTopicName, out var created));
                Assert.Equal("104857600", created.Config.Get("segment.bytes"));
                var small = new Dictionary<string, string>(created.Config.Overrides) { ["segment.bytes"] = "2048" };
                Assert.Equal(Samsa.Protocol.ErrorCode.None, broker.Broker.Cluster.SetTopicConfigs(created, small, validateOnly: false).Error);
                for (var i = 2; i <= 400; i++)
                {
                    consumer.Commit([new TopicPartitionOffset(partition, i)]);
                }

                consumer.Close();
            }

            broker.Broker.Cluster.Housekeeping();
            Assert.True(broker.Broker.Cluster.TryGetTopic(GroupCoordinator.OffsetsTopicName, out var offsetsTopic));
            Assert.True(offsetsTopic.TryGetPartition(0, out var offsetsPartition));
            offsetsLogEnd = offsetsPartition.LogEndOffset;
        }

        // 400 commits of one key, about 100 bytes each: compaction leaves the active segment and little else.
        Assert.True(offsetsLogEnd >= 400);
        var bytesLeft = Directory.GetFiles(Path.Combine(_dataDirectory.FullName, "node-0", $"{GroupCoordinator.OffsetsTopicName}-0"), "*.log").Sum(file => new FileInfo(file).Length);
        Assert.True(bytesLeft < 8 * 1024, $"{bytesLeft} bytes of __consumer_offsets left");

        await using (var restarted = await StartDurableAsync())
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(restarted.ConsumerConfig("committer")).Build();
            var committed = consumer.Committed([partition], TimeSpan.FromSeconds(30));
            Assert.Equal(400, Assert.Single(committed).Offset.Value);
        }
    }

    [Fact]
    public async Task Compaction_FollowerRestartedAfterLeaderCompacted_CatchesUpWithTheLeadersOffsets()
    {
        // On disk, a stopped node's logs are closed, so the follower misses what the leader compacts.
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.DataDirectory = _dataDirectory.FullName;
            o.NodeCount = 2;
            o.DefaultReplicationFactor = 2;
        });
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = "replicated",
                NumPartitions = 1,
                ReplicationFactor = 2,
                Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact", ["segment.bytes"] = "1024" },
            }]);
        }

        Assert.True(broker.Broker.Cluster.TryGetTopic("replicated", out var topic));
        Assert.True(topic.TryGetPartition(0, out var partition));
        var leader = partition.Leadership.LeaderId;
        var follower = 1 - leader;
        var latest = new Dictionary<string, string>();
        using var producer = new ProducerBuilder<string, string>(broker.ProducerConfig(c => c.BatchNumMessages = 5)).Build();
        async Task ProduceAsync(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                var key = i % 50 == 0 ? $"once{i}" : $"k{i % 10}";
                latest[key] = $"v{i}";
                producer.Produce("replicated", new Message<string, string> { Key = key, Value = latest[key] });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
            await Task.CompletedTask;
        }

        await ProduceAsync(0, 200);
        await broker.Broker.StopNodeAsync(follower);
        await ProduceAsync(200, 300);
        broker.Broker.Cluster.Housekeeping();
        Assert.True(LeaderBatches(partition, leader).Count < 100, "the leader's log was compacted while the follower was away");
        await broker.Broker.StartNodeAsync(follower);
        await ProduceAsync(500, 10);

        // The caught-up follower now leads: it must hold the same offsets as the old leader. (A copy
        // that renumbered the leader's batches would leave stray duplicates, which the follower's own
        // compaction may already have removed; PartitionLogCompactionTests checks the copy itself.)
        await broker.Broker.StopNodeAsync(leader);
        using var consumer = new ConsumerBuilder<string, string>(broker.ConsumerConfig("replica-reader", c => c.EnablePartitionEof = true)).Build();
        consumer.Assign(new TopicPartitionOffset("replicated", 0, Offset.Beginning));
        var received = consumer.ConsumeToEnd(1, TimeSpan.FromSeconds(30));

        Assert.Equal(509, received[^1].Offset.Value);
        Assert.Equal(latest.OrderBy(kv => kv.Key), received.GroupBy(r => r.Message.Key).ToDictionary(g => g.Key, g => g.Last().Message.Value).OrderBy(kv => kv.Key));
        foreach (var record in received)
        {
            Assert.Equal(record.Offset.Value, int.Parse(record.Message.Value.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Compaction_AbortedTransactions_RemovedEvenForReadUncommittedConsumers()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.TransactionStateTopicPartitions = 1);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = "transactional",
                NumPartitions = 1,
                ReplicationFactor = 1,

                // The broker's own tick may clean part of the log first; any dirty rest is then due too.
                Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact", ["segment.bytes"] = "1024", ["min.cleanable.dirty.ratio"] = "0.01" },
            }]);
        }

        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig(c =>
        {
            c.TransactionalId = "compacting";
            c.EnableIdempotence = true;
        })).Build())
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            for (var round = 0; round < 20; round++)
            {
                producer.BeginTransaction();
                producer.Produce("transactional", new Message<string, string> { Key = $"aborted{round}", Value = "never" });
                producer.Produce("transactional", new Message<string, string> { Key = "shared", Value = $"aborted{round}" });
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
                producer.AbortTransaction(TimeSpan.FromSeconds(30));

                producer.BeginTransaction();
                producer.Produce("transactional", new Message<string, string> { Key = "shared", Value = $"committed{round}" });
                producer.CommitTransaction(TimeSpan.FromSeconds(30));
            }
        }

        // Distinct keys after the transactions, enough to roll them all into closed segments.
        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 30; i++)
            {
                producer.Produce("transactional", new Message<string, string> { Key = $"filler{i}", Value = new string('f', 40) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        broker.Broker.Cluster.Housekeeping();

        using var consumer = new ConsumerBuilder<string, string>(broker.ConsumerConfig("uncommitted-reader", c =>
        {
            c.EnablePartitionEof = true;
            c.IsolationLevel = IsolationLevel.ReadUncommitted;
        })).Build();
        consumer.Assign(new TopicPartitionOffset("transactional", 0, Offset.Beginning));
        var received = consumer.ConsumeToEnd(1, TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"filler{i}"), received.Where(r => r.Message.Key.StartsWith("filler", StringComparison.Ordinal)).Select(r => r.Message.Key));
        Assert.DoesNotContain(received, r => r.Message.Value == "never" || r.Message.Value.StartsWith("aborted", StringComparison.Ordinal));
        Assert.Equal("committed19", Assert.Single(received, r => r.Message.Key == "shared").Message.Value);
    }

    private static List<long> LeaderBatches(Samsa.Broker.Replication.Partition partition, int leader)
    {
        var bases = new List<long>();
        for (long next = 0; next < partition.LogEndOffset;)
        {
            var outcome = partition.Read(leader, next, 1 << 20);
            var reader = new Samsa.Protocol.Records.RecordBatchReader(outcome.Data.Records.ToArray());
            var any = false;
            while (reader.TryReadNext(out var b))
            {
                any = true;
                bases.Add(b.Header.BaseOffset);
                next = b.Header.LastOffset + 1;
            }

            if (!any)
            {
                break;
            }
        }

        return bases;
    }

    private Task<EmbeddedBroker> StartDurableAsync() => EmbeddedBroker.StartAsync(o =>
    {
        o.DataDirectory = _dataDirectory.FullName;
        o.OffsetsTopicPartitions = 1;
    });
}

using System.Text.Json;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>One group of mixed clients: kafka-python (old JoinGroup/SyncGroup versions) with Confluent.Kafka members.</summary>
public class GroupKafkaPythonTests
{
    private const string SystemPython = "/usr/bin/python3";

    /// <summary>
    /// A kafka-python group member: consumes and commits until it saw records and then nothing for
    /// two seconds (or the deadline), leaves, and prints what it consumed as one JSON line.
    /// </summary>
    private const string Member = """
        import json, sys, time
        from kafka import KafkaConsumer
        bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
        consumer = KafkaConsumer(topic, group_id=group, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                 enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=500,
                                 client_id="kafka-python-member")
        values, partitions, last = [], set(), None
        deadline = time.time() + 60
        while time.time() < deadline:
            batch = consumer.poll(timeout_ms=200)
            for tp, records in batch.items():
                partitions.add(tp.partition)
                values.extend(r.value.decode() for r in records)
            if batch:
                consumer.commit()
                last = time.time()
            elif last is not None and time.time() - last > 2:
                break
        consumer.close()
        print(json.dumps({"values": values, "partitions": sorted(partitions)}))
        """;

    [Fact]
    public async Task Subscribe_KafkaPythonWithTwoConfluentMembers_EveryRecordConsumedOnce()
    {
        Assert.True(File.Exists(SystemPython), "/usr/bin/python3 is missing; scripts/install-test-deps.sh installs python3-kafka for it.");
        await using var broker = await GroupConsumerTests.StartBrokerAsync();
        var python = ExternalProcess.RunAsync(
            SystemPython,
            ["-", broker.BootstrapServers, "orders", "mixed"],
            standardInput: Member,
            timeout: TimeSpan.FromSeconds(90),
            cancellationToken: TestContext.Current.CancellationToken);
        using var first = new GroupTestConsumer("c1", GroupConsumerTests.GroupConfig(broker, "mixed"), "orders", commitEach: true);
        using var second = new GroupTestConsumer("c2", GroupConsumerTests.GroupConfig(broker, "mixed"), "orders", commitEach: true);

        // The Confluent members hold 8 of the 12 partitions: the kafka-python member has the other 4.
        Assert.True(await Poll.TryUntilAsync(
            () => first.Assignment.Count == 4 && second.Assignment.Count == 4 && first.Assignment.Union(second.Assignment).Count() == 8,
            TimeSpan.FromSeconds(45)));
        await GroupConsumerTests.ProduceAsync(broker, 120);

        var run = await python;
        Assert.True(run.ExitCode == 0, run.ToString());
        using var output = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]);
        var pythonValues = output.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).ToList();
        var pythonPartitions = output.RootElement.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()).ToList();
        Assert.Equal(4, pythonPartitions.Count);
        Assert.Equal(40, pythonValues.Count);

        // When it left, its partitions went to the others, which start at its commits: nothing twice.
        Assert.True(await Poll.TryUntilAsync(() => first.Received.Count + second.Received.Count >= 80, TimeSpan.FromSeconds(30)));
        var all = first.Received.Concat(second.Received).Select(r => r.Message.Value).Concat(pythonValues).ToList();
        Assert.Equal(120, all.Count);
        Assert.Equal(120, all.Distinct().Count());
    }
}

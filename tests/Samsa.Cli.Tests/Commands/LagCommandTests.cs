using System.Text.Json;
using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Cli.Tests.Commands;

public sealed class LagCommandTests
{
    private const string Topic = "orders";

    [Fact]
    public async Task ReportsCommittedEndAndLag_PerPartition_AndTheGroupTotal()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics[Topic] = 3);
        await ProduceAsync(broker, perPartition: 10);
        Commit(broker, "billing", (0, 10), (1, 4));
        Commit(broker, "audit", (2, 1));

        // --group, the name before --group-id, is still accepted.
        var run = await CliRun.InvokeAsync(CliRun.Development(broker.BootstrapServers), "lag", "--group-id", "billing", "--group", "audit", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var document = JsonDocument.Parse(run.Output);
        var groups = document.RootElement.EnumerateArray().ToDictionary(g => g.GetProperty("group").GetString()!);
        var billing = groups["billing"];
        Assert.Equal(6, billing.GetProperty("totalLag").GetInt64());
        Assert.Equal("Empty", billing.GetProperty("state").GetString());
        var partitions = billing.GetProperty("partitions").EnumerateArray()
            .Select(p => (p.GetProperty("partition").GetInt32(), p.GetProperty("committed").GetInt64(), p.GetProperty("end").GetInt64(), p.GetProperty("lag").GetInt64()))
            .ToList();
        Assert.Equal([(0, 10L, 10L, 0L), (1, 4L, 10L, 6L)], partitions);
        Assert.Equal(9, groups["audit"].GetProperty("totalLag").GetInt64());
    }

    [Fact]
    public async Task WithoutGroups_ListsEveryGroup_AsATable()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics[Topic] = 1);
        await ProduceAsync(broker, perPartition: 5);
        Commit(broker, "first", (0, 2));
        Commit(broker, "second", (0, 5));

        var run = await CliRun.InvokeAsync(CliRun.Development(broker.BootstrapServers), "lag");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("group first: total lag 3 over 1 partitions", run.Output, StringComparison.Ordinal);
        Assert.Contains("group second: total lag 0 over 1 partitions", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxLag_FailsOnlyWhenAGroupIsAboveIt()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics[Topic] = 1);
        await ProduceAsync(broker, perPartition: 8);
        Commit(broker, "slow", (0, 2));
        var variables = CliRun.Development(broker.BootstrapServers);

        var above = await CliRun.InvokeAsync(variables, "lag", "--group-id", "slow", "--max-lag", "5");
        var within = await CliRun.InvokeAsync(variables, "lag", "--group-id", "slow", "--max-lag", "6");

        Assert.True(above.ExitCode == 1, above.ToString());
        Assert.Contains("group slow: lag 6 is above --max-lag 5", above.Error, StringComparison.Ordinal);
        Assert.True(within.ExitCode == 0, within.ToString());
    }

    [Fact]
    public async Task InvalidSettings_StopBeforeConnecting_WithEveryProblem()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9092",
            ["KAFKA_SECURITY_PROTOCOL"] = "SASL_SSL",
        };

        var run = await CliRun.InvokeAsync(variables, "lag");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("KAFKA_SASL_USERNAME", run.Error, StringComparison.Ordinal);
        Assert.Contains("KAFKA_SASL_PASSWORD", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableCluster_ExitsThree_NamingTheAddress()
    {
        var address = $"127.0.0.1:{BackgroundProcess.FreeTcpPort()}";

        var run = await CliRun.InvokeAsync(CliRun.Development(address), "lag", "--timeout", "3");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains(address, run.Error, StringComparison.Ordinal);
    }

    private static async Task ProduceAsync(EmbeddedBroker broker, int perPartition)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var partitions = admin.GetMetadata(Topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build();
        for (var partition = 0; partition < partitions; partition++)
        {
            for (var i = 0; i < perPartition; i++)
            {
                await producer.ProduceAsync(new TopicPartition(Topic, partition), new Message<Null, string> { Value = $"v{i}" });
            }
        }
    }

    private static void Commit(EmbeddedBroker broker, string group, params (int Partition, long Offset)[] offsets)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(broker.ConsumerConfig(group)).Build();
        consumer.Commit(offsets.Select(o => new TopicPartitionOffset(Topic, o.Partition, o.Offset)));
    }
}

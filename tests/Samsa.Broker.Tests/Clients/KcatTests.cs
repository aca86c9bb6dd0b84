using Confluent.Kafka;
using Samsa.Broker.Tests.Support;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>kcat (Debian's, on librdkafka 2.0.2) produces, consumes and lists metadata against Samsa.Broker.</summary>
public class KcatTests
{
    private static string Kcat() =>
        ExternalProcess.Find("kcat") ?? throw new InvalidOperationException("kcat is not installed; scripts/install-test-deps.sh installs it.");

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task KcatProduce_ThenConfluentConsume_ReturnsEveryLine(string codec)
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["lines"] = 1);
        var lines = Enumerable.Range(0, 200).Select(i => $"line-{i}-{codec}").ToList();

        var produce = await ExternalProcess.RunAsync(Kcat(), ["-b", broker.BootstrapServers, "-t", "lines", "-P", "-z", codec, "-X", "acks=all"], string.Join('\n', lines) + "\n", cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(produce.ExitCode == 0, produce.ToString());
        var expected = codec == "none" ? Samsa.Protocol.Records.CompressionType.None : Enum.Parse<Samsa.Protocol.Records.CompressionType>(codec, ignoreCase: true);
        Assert.All(StoredBatches.Headers(broker.Broker, "lines").Where(h => h.RecordCount > 1), h => Assert.Equal(expected, h.Compression));
        using var consumer = new ConsumerBuilder<Ignore, string>(broker.ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset("lines", 0, Offset.Beginning));
        Assert.Equal(lines, consumer.ConsumeMany(lines.Count, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task KcatConsume_AfterConfluentProduce_ReturnsEveryValueWithKeys()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["kv"] = 1);
        using (var producer = new ProducerBuilder<string, string>(broker.ProducerConfig()).Build())
        {
            for (var i = 0; i < 50; i++)
            {
                await producer.ProduceAsync("kv", new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
        }

        var consume = await ExternalProcess.RunAsync(Kcat(), ["-b", broker.BootstrapServers, "-t", "kv", "-C", "-o", "beginning", "-e", "-f", "%k=%s\\n"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(consume.ExitCode == 0, consume.ToString());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"k{i}=v{i}"), consume.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task KcatMetadata_ThreeNodes_ListsBrokersAndPartitionLeaders()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.NodeCount = 3;
            o.DefaultReplicationFactor = 3;
            o.SeedTopics["spread"] = 6;
        });

        var metadata = await ExternalProcess.RunAsync(Kcat(), ["-b", broker.BootstrapServers, "-L", "-t", "spread"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(metadata.ExitCode == 0, metadata.ToString());
        Assert.Contains(" 3 brokers:", metadata.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("topic \"spread\" with 6 partitions", metadata.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("leader 2", metadata.StandardOutput, StringComparison.Ordinal);
    }
}

using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Cli.Tests.Commands;

/// <summary><c>samsa broker start</c> as an operator runs it: its own process, real clients, SIGTERM to stop.</summary>
public sealed class BrokerStartCommandTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Standalone_ServesClients_StopsCleanlyOnSigterm_AndKeepsItsDataAcrossRestarts()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("samsa-cli-broker-");
        try
        {
            using (var first = StartBroker("--port", "0", "--nodes", "3", "--data-dir", data.FullName, "--default-partitions", "2", "--auto-create-topics"))
            {
                var bootstrap = await BootstrapServersAsync(first);
                Assert.Equal(3, bootstrap.Split(',').Length);
                using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, MessageTimeoutMs = 30_000 }).Build();
                var delivered = await producer.ProduceAsync("audit", new Message<string, string> { Key = "k", Value = "kept across restarts" }, cancellation);
                Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

                Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30), cancellation));
                Assert.Contains("Stopping Samsa.Broker", first.Output, StringComparison.Ordinal);
            }

            using var second = StartBroker("--port", "0", "--nodes", "3", "--data-dir", data.FullName);
            var restarted = await BootstrapServersAsync(second);
            using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = restarted, GroupId = "cli-test" }).Build();
            consumer.Assign([new TopicPartitionOffset("audit", 0, Offset.Beginning), new TopicPartitionOffset("audit", 1, Offset.Beginning)]);
            var read = consumer.ConsumeMany(1, TimeSpan.FromSeconds(30));
            Assert.Equal("kept across restarts", Assert.Single(read).Message.Value);
            Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(30), cancellation));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--nodes", "0" }, "invalid options")]
    [InlineData(new[] { "--config", "log.retention.ms" }, "--config expects NAME=VALUE, got 'log.retention.ms'")]
    [InlineData(new[] { "--config", "log.retention.msec=1000" }, "'log.retention.msec' is not a topic config or broker default Samsa.Broker knows; did you mean 'log.retention.ms'?")]
    [InlineData(new[] { "--config", "num.partitions=2" }, "'num.partitions' is not a topic config default; it is set with BrokerOptions.DefaultPartitions (samsa broker start --default-partitions)")]
    [InlineData(new[] { "--config", "colour=blue" }, "'colour' is not a topic config or broker default Samsa.Broker knows.")]
    [InlineData(new[] { "--security-protocol", "TLS" }, "--security-protocol expects one of")]
    [InlineData(new[] { "--user", "alice" }, "--user expects NAME=PASSWORD; one entry has no '='")]
    [InlineData(new[] { "--authorizer", "--super-user", "admin" }, "Security.SuperUsers holds 'admin', which is not a principal; write it as Kafka does, e.g. User:admin.")]
    [InlineData(new[] { "--super-user", "User:admin" }, "only apply with Security.EnableAuthorizer = true")]
    public async Task InvalidOptions_ExitTwo_WithWhatIsWrong(string[] options, string message)
    {
        var run = await CliRun.InvokeAsync(new Dictionary<string, string>(), ["broker", "start", "--port", "0", .. options]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    private static BackgroundProcess StartBroker(params string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ExternalProcess.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");
        var cli = Path.Combine(AppContext.BaseDirectory, "Samsa.Cli.dll");
        return BackgroundProcess.Start(dotnet, [cli, "broker", "start", .. arguments]);
    }

    private static async Task<string> BootstrapServersAsync(BackgroundProcess broker)
    {
        var line = await broker.WaitForOutputAsync("bootstrap.servers=", StartTimeout, TestContext.Current.CancellationToken);
        return line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
    }
}

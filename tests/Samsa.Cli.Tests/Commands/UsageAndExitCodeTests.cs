using Samsa.TestUtils;

namespace Samsa.Cli.Tests.Commands;

/// <summary>
/// The <c>samsa</c> process as an operator runs it: usage names the command <c>samsa</c>, and each exit code the
/// README documents (0 done, 1 a finding, 2 invalid arguments or settings, 3 the cluster did not answer) is the one
/// returned, with nothing from librdkafka printed raw.
/// </summary>
public sealed class UsageAndExitCodeTests
{
    [Fact]
    public async Task Help_NamesTheCommandSamsa()
    {
        var run = await RunSamsaAsync("broker", "start", "--help");

        Assert.True(run.ExitCode == CliExitCodes.Success, run.ToString());
        Assert.Contains("samsa broker start [options]", run.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Samsa.Cli", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheVersion_AndExitsZero()
    {
        var run = await RunSamsaAsync("--version");

        Assert.True(run.ExitCode == CliExitCodes.Success, run.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", run.StandardOutput);
    }

    [Fact]
    public async Task Finding_LagAboveTheLimit_ExitsOne()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["exit-codes"] = 1);
        using (var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, string>(broker.ProducerConfig()).Build())
        {
            await producer.ProduceAsync("exit-codes", new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = "v" }, TestContext.Current.CancellationToken);
        }

        using (var consumer = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, Confluent.Kafka.Ignore>(broker.ConsumerConfig("behind")).Build())
        {
            consumer.Commit([new Confluent.Kafka.TopicPartitionOffset("exit-codes", 0, 0)]);
        }

        var run = await RunSamsaAsync("lag", "--group-id", "behind", "--max-lag", "0", "--bootstrap-servers", broker.BootstrapServers, "--environment", "Development");

        Assert.True(run.ExitCode == CliExitCodes.Findings, run.ToString());
    }

    [Fact]
    public async Task InvalidArguments_ExitTwo()
    {
        var run = await RunSamsaAsync("lag", "--no-such-flag");

        Assert.True(run.ExitCode == CliExitCodes.InvalidInput, run.ToString());
    }

    [Theory]
    [InlineData("check")]
    [InlineData("lag")]
    public async Task ClusterNotThere_ExitsThree_AtOnce_WithoutRawLibrdkafkaLines(string command)
    {
        var address = $"127.0.0.1:{BackgroundProcess.FreeTcpPort()}";

        // The default --timeout is 30 s: the start-up gate's TCP check, not a client timeout, gives the answer.
        var run = await RunSamsaAsync(command, "--bootstrap-servers", address, "--environment", "Development");

        Assert.True(run.ExitCode == CliExitCodes.Unreachable, run.ToString());
        Assert.Contains($"TCP connect to broker `{address}` was refused", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("%3|", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.StandardError, StringComparison.Ordinal);
    }

    private static Task<ExternalProcess.Result> RunSamsaAsync(params string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ExternalProcess.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");
        var cli = Path.Combine(AppContext.BaseDirectory, "Samsa.Cli.dll");
        var environment = Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(k => k.StartsWith("KAFKA_", StringComparison.Ordinal) || k is "DOTNET_ENVIRONMENT" or "ASPNETCORE_ENVIRONMENT")
            .ToDictionary(k => k, _ => (string?)null, StringComparer.Ordinal);
        return ExternalProcess.RunAsync(
            dotnet, [cli, .. arguments], environment, workingDirectory: null, timeout: TimeSpan.FromSeconds(25), cancellationToken: TestContext.Current.CancellationToken);
    }
}

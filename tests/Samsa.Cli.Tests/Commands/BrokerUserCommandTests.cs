using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.TestUtils;

namespace Samsa.Cli.Tests.Commands;

/// <summary><c>samsa broker user add|remove|list</c> against an embedded broker, checked with Confluent's admin client.</summary>
public sealed class BrokerUserCommandTests
{
    [Fact]
    public async Task AddListRemove_ManagesScramCredentialsOnTheCluster()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var variables = CliRun.Development(broker.BootstrapServers);

        var add = await CliRun.InvokeAsync(variables, "broker", "user", "add", "carol", "--password", "carol-secret", "--mechanism", "SCRAM-SHA-512", "--iterations", "10000");
        var list = await CliRun.InvokeAsync(variables, "broker", "user", "list");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var described = await admin.DescribeUserScramCredentialsAsync(["carol"]);
        var remove = await CliRun.InvokeAsync(variables, "broker", "user", "remove", "carol");
        var listGone = await CliRun.InvokeAsync(variables, "broker", "user", "list", "carol");

        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("carol", list.Output, StringComparison.Ordinal);
        Assert.Contains("SCRAM-SHA-512", list.Output, StringComparison.Ordinal);
        Assert.Contains("10000", list.Output, StringComparison.Ordinal);
        var info = Assert.Single(Assert.Single(described.UserScramCredentialsDescriptions).ScramCredentialInfos);
        Assert.Equal((Confluent.Kafka.Admin.ScramMechanism.ScramSha512, 10_000), (info.Mechanism, info.Iterations));
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal(1, listGone.ExitCode);
        Assert.Contains(nameof(ErrorCode.ResourceNotFound), listGone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_TooFewIterations_ExitsOneWithKafkasReason()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        var run = await CliRun.InvokeAsync(CliRun.Development(broker.BootstrapServers), "broker", "user", "add", "carol", "--password", "x", "--iterations", "100");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Too few iterations", run.Error, StringComparison.Ordinal);
    }
}

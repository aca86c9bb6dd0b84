using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker.Security;
using Samsa.TestUtils;

namespace Samsa.Cli.Tests.Commands;

public sealed class CheckCommandTests
{
    private const string Password = "s3cret-password";

    [Fact]
    public async Task ThreeNodes_ProductionTopicPasses_ThinTopicAndPlaintextFail()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.NodeCount = 3);
        await CreateTopicAsync(broker.BootstrapServers, "orders", partitions: 6, replicas: 3, minInsync: 2);
        await CreateTopicAsync(broker.BootstrapServers, "thin", partitions: 1, replicas: 1, minInsync: 1);

        var run = await CliRun.InvokeAsync(CliRun.Plaintext(broker.BootstrapServers), "check", "--topic", "orders", "--topic", "thin", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var findings = Findings(run);
        Assert.Equal("fail", findings[("settings", "Kafka:SecurityProtocol")].Status);
        Assert.Contains("PLAINTEXT", findings[("settings", "Kafka:SecurityProtocol")].Detail, StringComparison.Ordinal);
        Assert.Equal("pass", findings[("connection", "start-up gate")].Status);
        Assert.Equal("pass", findings[("brokers", "broker count")].Status);
        Assert.Equal("pass", findings[("brokers", "unclean.leader.election.enable")].Status);
        Assert.Equal("pass", findings[("brokers", "offsets.topic.replication.factor")].Status);

        Assert.Equal("pass", findings[("orders", "partitions")].Status);
        Assert.Equal("pass", findings[("orders", "replication factor")].Status);
        Assert.Equal("pass", findings[("orders", "min.insync.replicas")].Status);
        Assert.Equal("pass", findings[("orders", "in sync")].Status);

        Assert.Equal("warn", findings[("thin", "partitions")].Status);
        Assert.Equal("fail", findings[("thin", "replication factor")].Status);
        Assert.Contains("below 3", findings[("thin", "replication factor")].Detail, StringComparison.Ordinal);
        Assert.Equal("fail", findings[("thin", "min.insync.replicas")].Status);
    }

    [Fact]
    public async Task OneNode_FailsBrokerCount_AndNamesAMissingTopic()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        var run = await CliRun.InvokeAsync(CliRun.Plaintext(broker.BootstrapServers), "check", "--topic", "payments", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var findings = Findings(run);
        Assert.Equal("fail", findings[("brokers", "broker count")].Status);
        Assert.Contains("1 broker (ids 0)", findings[("brokers", "broker count")].Detail, StringComparison.Ordinal);
        Assert.Equal("fail", findings[("payments", "exists")].Status);
    }

    [Fact]
    public async Task ProductionSetup_SaslSslScram512_ThreeReplicas_IsReady()
    {
        using var ca = new TestCertificateAuthority();
        await using var broker = await StartSaslSslBrokerAsync(ca, o =>
        {
            o.NodeCount = 3;
            o.DefaultReplicationFactor = 3;
            o.TopicConfigDefaults["min.insync.replicas"] = "2";
        });
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_SECURITY_PROTOCOL"] = "SASL_SSL",
            ["KAFKA_SASL_MECHANISM"] = "SCRAM-SHA-512",
            ["KAFKA_SASL_USERNAME"] = "alice",
            ["KAFKA_SASL_PASSWORD"] = Password,
            ["KAFKA_SSL_CA_LOCATION"] = ca.PemPath,
        };
        var admin = new AdminClientConfig
        {
            BootstrapServers = broker.BootstrapServers,
            SecurityProtocol = SecurityProtocol.SaslSsl,
            SaslMechanism = SaslMechanism.ScramSha512,
            SaslUsername = "alice",
            SaslPassword = Password,
            SslCaLocation = ca.PemPath,
        };
        await CreateTopicAsync(admin, "orders", partitions: 6, replicas: 3, minInsync: 2);
        await CreateTopicAsync(admin, "orders.dlq", partitions: 6, replicas: 3, minInsync: 2, retentionMs: -1);

        var run = await CliRun.InvokeAsync(variables, "check");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ready for production", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT ready", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", run.Output, StringComparison.Ordinal);
        Assert.Contains("SCRAM-SHA-512", run.Output, StringComparison.Ordinal);
        Assert.Contains("dead letters are kept until replayed or deleted", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongPassword_FailsTheConnection_AndSkipsTheClusterChecks()
    {
        using var ca = new TestCertificateAuthority();
        await using var broker = await StartSaslSslBrokerAsync(ca);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
            ["KAFKA_SASL_USERNAME"] = "alice",
            ["KAFKA_SASL_PASSWORD"] = "not-the-password",
            ["KAFKA_SSL_CA_LOCATION"] = ca.PemPath,
        };

        var run = await CliRun.InvokeAsync(variables, "check", "--json", "--timeout", "20");

        Assert.True(run.ExitCode == 3, run.ToString());
        var findings = Findings(run);
        Assert.Equal("fail", findings[("connection", "start-up gate")].Status);
        Assert.Contains("authentication", findings[("connection", "start-up gate")].Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("skipped", findings[("brokers", "broker checks")].Status);
    }

    [Fact]
    public async Task UnreachableBootstrap_FailsTheConnection_NamingTheAddress()
    {
        var address = $"127.0.0.1:{BackgroundProcess.FreeTcpPort()}";

        var run = await CliRun.InvokeAsync(CliRun.Plaintext(address), "check", "--json", "--timeout", "5");

        Assert.True(run.ExitCode == 3, run.ToString());
        var findings = Findings(run);
        Assert.Equal("fail", findings[("connection", "start-up gate")].Status);
        Assert.Contains(address, findings[("connection", "start-up gate")].Detail, StringComparison.Ordinal);
        Assert.Equal("skipped", findings[("brokers", "broker checks")].Status);
    }

    [Fact]
    public async Task MisspeltVariable_FailsWithTheNearestName_BeforeConnecting()
    {
        var variables = CliRun.Plaintext($"127.0.0.1:{BackgroundProcess.FreeTcpPort()}");
        variables["KAFKA_PRODUCER_BATCH_SIZ"] = "32768";

        var run = await CliRun.InvokeAsync(variables, "check", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var findings = Findings(run);
        var misspelt = findings[("settings", "KAFKA_PRODUCER_BATCH_SIZ")];
        Assert.Equal("fail", misspelt.Status);
        Assert.Contains("did you mean `KAFKA_PRODUCER_BATCH_SIZE`", misspelt.Detail, StringComparison.Ordinal);
        Assert.Equal("skipped", findings[("connection", "start-up gate")].Status);
    }

    [Fact]
    public async Task Table_IsTheDefaultOutput_WithASummaryLine()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        var run = await CliRun.InvokeAsync(CliRun.Plaintext(broker.BootstrapServers), "check");

        Assert.Contains("│ brokers", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"\d+ passed, \d+ warnings, \d+ failed, \d+ skipped: NOT ready for production", run.Output);
    }

    /// <summary>A broker with a SASL_SSL listener (SCRAM-SHA-512, user alice) and a certificate from <paramref name="ca"/>.</summary>
    private static Task<EmbeddedBroker> StartSaslSslBrokerAsync(TestCertificateAuthority ca, Action<Samsa.Broker.BrokerOptions>? configure = null)
    {
        var now = TimeProvider.System.GetUtcNow();
        var certificate = ca.Issue(now.AddDays(-1), now.AddYears(1));
        return EmbeddedBroker.StartAsync(o =>
        {
            configure?.Invoke(o);
            o.Security.Protocol = BrokerSecurityProtocol.SaslSsl;
            o.Security.ServerCertificate = certificate;
            o.Security.SaslMechanisms.Add(SaslMechanismNames.ScramSha512);
            o.Security.Users.Add("alice", Password);
        });
    }

    private static Dictionary<(string Area, string Check), (string Status, string Detail)> Findings(CliRun run)
    {
        using var document = JsonDocument.Parse(run.Output);
        return document.RootElement.GetProperty("findings").EnumerateArray().ToDictionary(
            f => (f.GetProperty("area").GetString()!, f.GetProperty("check").GetString()!),
            f => (f.GetProperty("status").GetString()!, f.GetProperty("detail").GetString()!));
    }

    private static Task CreateTopicAsync(string bootstrapServers, string name, int partitions, short replicas, int minInsync) =>
        CreateTopicAsync(new AdminClientConfig { BootstrapServers = bootstrapServers }, name, partitions, replicas, minInsync);

    private static async Task CreateTopicAsync(AdminClientConfig config, string name, int partitions, short replicas, int minInsync, long? retentionMs = null)
    {
        using var admin = new AdminClientBuilder(config).Build();
        var configs = new Dictionary<string, string> { ["min.insync.replicas"] = minInsync.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (retentionMs is { } retention)
        {
            configs["retention.ms"] = retention.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = replicas, Configs = configs }]);
    }
}

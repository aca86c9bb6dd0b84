using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker.Security;
using Samsa.TestUtils;

namespace Samsa.Cli.Tests.Commands;

/// <summary><c>samsa check --consumer/--publisher-topic</c> against a broker whose authorizer is on, ACLs set by a super user.</summary>
public sealed class CheckCommandAuthorizationTests
{
    [Fact]
    public async Task GroupNotReadable_FailsNamingTheAclToGrant_ThenPassesOnceGranted()
    {
        await using var broker = await StartBrokerAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync([Allow(ResourceType.Topic, "payments", AclOperation.All, ResourcePatternType.Prefixed)]);
        await CreateTopicsAsync(admin, "payments", "payments.dlq");

        var denied = await CliRun.InvokeAsync(Alice(broker), "check", "--consumer", "payments:billing", "--publisher-topic", "payments", "--json");

        Assert.True(denied.ExitCode == 1, denied.ToString());
        var findings = Findings(denied);
        var group = findings[("authorization", "Read on group billing")];
        Assert.Equal("fail", group.Status);
        Assert.Contains("User:alice may not: the consumer of `payments` joins it and commits in it", group.Detail, StringComparison.Ordinal);
        Assert.Contains("--add --allow-principal User:alice --operation Read --group billing", group.Detail, StringComparison.Ordinal);
        Assert.Single(findings, f => f.Key.Area == "authorization" && f.Value.Status == "fail");

        await admin.CreateAclsAsync([Allow(ResourceType.Group, "billing", AclOperation.Read)]);
        var allowed = await CliRun.InvokeAsync(Alice(broker), "check", "--consumer", "payments:billing", "--publisher-topic", "payments", "--json");

        var acls = Findings(allowed)[("authorization", "ACLs")];
        Assert.True(acls.Status == "pass", allowed.ToString());
        Assert.Contains("User:alice has the 4 permission(s) checked", acls.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TopicsOnlyDescribable_FailsOnePermissionPerRow()
    {
        await using var broker = await StartBrokerAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync([Allow(ResourceType.Topic, "payments", AclOperation.Describe, ResourcePatternType.Prefixed)]);
        await CreateTopicsAsync(admin, "payments", "payments.dlq");

        var run = await CliRun.InvokeAsync(Alice(broker), "check", "--publisher-topic", "payments", "--publisher-topic", "payments.dlq", "--json");

        Assert.True(run.ExitCode == 1, run.ToString());
        var findings = Findings(run);
        Assert.Equal("fail", findings[("authorization", "Write on topic payments")].Status);
        Assert.Equal("fail", findings[("authorization", "Write on topic payments.dlq")].Status);
        Assert.Contains("--operation Write --topic payments.dlq", findings[("authorization", "Write on topic payments.dlq")].Detail, StringComparison.Ordinal);
        Assert.False(findings.ContainsKey(("authorization", "ACLs")));
    }

    [Fact]
    public async Task NoConsumerOrPublisherTopic_SkipsTheStage()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        var run = await CliRun.InvokeAsync(CliRun.Plaintext(broker.BootstrapServers), "check", "--json");

        var stage = Findings(run)[("authorization", "ACLs")];
        Assert.Equal("skipped", stage.Status);
        Assert.Contains("--consumer", stage.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsumerWithoutGroup_IsInvalidInput()
    {
        var run = await CliRun.InvokeAsync(CliRun.Plaintext("127.0.0.1:1"), "check", "--consumer", "payments");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("expected TOPIC:GROUP", run.Output + run.Error, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Alice(EmbeddedBroker broker) => new(StringComparer.Ordinal)
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = broker.BootstrapServers,
        ["KAFKA_SECURITY_PROTOCOL"] = "SASL_PLAINTEXT",
        ["KAFKA_SASL_MECHANISM"] = "PLAIN",
        ["KAFKA_SASL_USERNAME"] = "alice",
        ["KAFKA_SASL_PASSWORD"] = "alice-secret",
    };

    private static Task<EmbeddedBroker> StartBrokerAsync() => EmbeddedBroker.StartAsync(o =>
    {
        o.Security.Protocol = BrokerSecurityProtocol.SaslPlaintext;
        o.Security.SaslMechanisms.Add(SaslMechanismNames.Plain);
        o.Security.Users.Add("admin", "admin-secret");
        o.Security.Users.Add("alice", "alice-secret");
        o.Security.EnableAuthorizer = true;
        o.Security.SuperUsers.Add("User:admin");
    });

    private static IAdminClient Admin(EmbeddedBroker broker) => new AdminClientBuilder(new AdminClientConfig
    {
        BootstrapServers = broker.BootstrapServers,
        SecurityProtocol = SecurityProtocol.SaslPlaintext,
        SaslMechanism = SaslMechanism.Plain,
        SaslUsername = "admin",
        SaslPassword = "admin-secret",
    }).Build();

    private static AclBinding Allow(ResourceType type, string name, AclOperation operation, ResourcePatternType pattern = ResourcePatternType.Literal) => new()
    {
        Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
        Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = operation, PermissionType = AclPermissionType.Allow },
    };

    private static Task CreateTopicsAsync(IAdminClient admin, params string[] names) =>
        admin.CreateTopicsAsync(names.Select(name => new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = 1 }));

    private static Dictionary<(string Area, string Check), (string Status, string Detail)> Findings(CliRun run)
    {
        using var document = JsonDocument.Parse(run.Output);
        return document.RootElement.GetProperty("findings").EnumerateArray().ToDictionary(
            f => (f.GetProperty("area").GetString()!, f.GetProperty("check").GetString()!),
            f => (f.GetProperty("status").GetString()!, f.GetProperty("detail").GetString()!));
    }
}

using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Security;
using Samsa.Consuming;
using Samsa.DependencyInjection;
using Samsa.Startup;
using Samsa.Tests.Consuming;
using Samsa.Tests.DependencyInjection;
using Samsa.TestUtils;

namespace Samsa.Tests.Startup;

/// <summary>The gate's authorization check against the embedded broker with its authorizer on and ACLs set by a super user.</summary>
public sealed class KafkaReadinessGateAuthorizationTests
{
    private const int Bound = 60_000;
    private const string Topic = "payments";
    private const string Group = "billing";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = Bound)]
    public async Task StartAsync_GroupNotReadable_FailsNamingTheMissingAclThenStartsOnceGranted()
    {
        await using var broker = await StartBrokerAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync([Allow(ResourceType.Topic, Topic, AclOperation.All, ResourcePatternType.Prefixed)]);

        using (var denied = ConsumerHost(broker))
        {
            var error = await Assert.ThrowsAsync<KafkaStartupException>(() => denied.StartAsync(Token));

            Assert.Equal(KafkaStartupCheck.Authorization, error.Check);
            Assert.False(error.IsTransient);
            Contains("does not allow User:alice (PLAIN login as `alice`) 1 operation(s) the service needs: Read on group `billing`", error.Message);
            Contains("--allow-principal User:alice --operation Read --group billing", error.Message);
        }

        await admin.CreateAclsAsync([Allow(ResourceType.Group, Group, AclOperation.Read)]);
        using var allowed = ConsumerHost(broker);
        await allowed.StartAsync(Token);

        Assert.Contains(allowed.Logs(), l => l.Level == LogLevel.Information && l.Message.StartsWith("Kafka start-up check authorization passed", StringComparison.Ordinal));
        await allowed.StopAsync(Token);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_TopicsOnlyDescribable_FailsListingReadAndWriteOnEachTopic()
    {
        await using var broker = await StartBrokerAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync(
        [
            Allow(ResourceType.Topic, Topic, AclOperation.Create, ResourcePatternType.Prefixed),
            Allow(ResourceType.Topic, Topic, AclOperation.Describe, ResourcePatternType.Prefixed),
            Allow(ResourceType.Topic, Topic, AclOperation.DescribeConfigs, ResourcePatternType.Prefixed),
            Allow(ResourceType.Group, Group, AclOperation.Read),
        ]);
        using var host = ConsumerHost(broker);

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(Token));

        Assert.Equal(KafkaStartupCheck.Authorization, error.Check);
        Contains("4 operation(s) the service needs", error.Message);
        Contains("Read on topic `payments` (consumer group `billing` reads it)", error.Message);
        Contains("Write on topic `payments.retry.1` (consumer group `billing` sends failed records to it)", error.Message);
        Contains("Read on topic `payments.retry.1`", error.Message);
        Contains("Write on topic `payments.dlq`", error.Message);
        Assert.DoesNotContain("on group", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_NoAuthorizer_AuthorizationPassesWithEveryPermissionReported()
    {
        await using var broker = await StartBrokerAsync(authorizer: false);
        using var host = ConsumerHost(broker);

        await host.StartAsync(Token);

        var passed = Assert.Single(host.Logs(), l => l.Message.StartsWith("Kafka start-up check authorization passed", StringComparison.Ordinal));
        Contains("5 permission(s) allowed", passed.Message);
        await host.StopAsync(Token);
    }

    /// <summary>Shows the whole message when the phrase is missing (xunit's own cuts it short).</summary>
    private static void Contains(string phrase, string message) =>
        Assert.True(message.Contains(phrase, StringComparison.Ordinal), $"`{phrase}` not in: {message}");

    private static Task<EmbeddedBroker> StartBrokerAsync(bool authorizer = true) => EmbeddedBroker.StartAsync(o =>
    {
        o.Security.Protocol = BrokerSecurityProtocol.SaslPlaintext;
        o.Security.SaslMechanisms.Add(SaslMechanismNames.Plain);
        o.Security.Users.Add("admin", "admin-secret");
        o.Security.Users.Add("alice", "alice-secret");
        o.Security.EnableAuthorizer = authorizer;
        if (authorizer)
        {
            o.Security.SuperUsers.Add("User:admin");
        }
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

    private static IHost ConsumerHost(EmbeddedBroker broker) => SamsaTestHost.Build(
        broker.BootstrapServers,
        samsa =>
        {
            samsa.Services.AddSingleton(new RecordingHandler());
            samsa.AddTopic(Topic, t => t.Partitions = 1);
            samsa.AddConsumer<RecordingHandler, TestEvent>(Topic, Group, options =>
            {
                ConsumingTestSupport.Fast(options);
                options.Retry.RetryTopicDelays = [TimeSpan.FromSeconds(1)];
            });
        },
        configuration:
        [
            ("Kafka:SecurityProtocol", "SASL_PLAINTEXT"),
            ("Kafka:SaslMechanism", "PLAIN"),
            ("Kafka:SaslUsername", "alice"),
            ("Kafka:SaslPassword", "alice-secret"),
        ]);
}

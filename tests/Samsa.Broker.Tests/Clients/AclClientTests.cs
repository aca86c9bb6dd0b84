using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Broker.Security;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// ACLs and the authorizer as Confluent.Kafka (librdkafka) sees them over SASL/PLAIN: the admin API,
/// persistence, and producers and consumers of principals that are allowed or denied.
/// </summary>
public sealed class AclClientTests : IDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(20);
    private static readonly string[] Users = ["admin", "alice", "bob"];
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-acls-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    private Task<EmbeddedBroker> StartAsync(bool authorizer = true, bool persistent = false) => EmbeddedBroker.StartAsync(o =>
    {
        o.SeedTopics["orders"] = 1;
        o.SeedTopics["app-events"] = 1;
        o.SeedTopics["other"] = 1;
        o.Security.Protocol = BrokerSecurityProtocol.SaslPlaintext;
        o.Security.SaslMechanisms.Add(SaslMechanismNames.Plain);
        foreach (var user in Users)
        {
            o.Security.Users.Add(user, user + "-secret");
        }

        o.Security.EnableAuthorizer = authorizer;
        if (authorizer)
        {
            o.Security.SuperUsers.Add("User:admin");
        }

        if (persistent)
        {
            o.DataDirectory = _dataDirectory.FullName;
        }
    });

    private static void As(ClientConfig config, string user)
    {
        config.SecurityProtocol = SecurityProtocol.SaslPlaintext;
        config.SaslMechanism = SaslMechanism.Plain;
        config.SaslUsername = user;
        config.SaslPassword = user + "-secret";
    }

    private static IAdminClient Admin(EmbeddedBroker broker, string user = "admin")
    {
        var config = new AdminClientConfig { BootstrapServers = broker.BootstrapServers };
        As(config, user);
        return new AdminClientBuilder(config).Build();
    }

    private static AclBinding Acl(ResourceType type, string name, string principal, AclOperation operation, AclPermissionType permission = AclPermissionType.Allow, ResourcePatternType pattern = ResourcePatternType.Literal) => new()
    {
        Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
        Entry = new AccessControlEntry { Principal = principal, Host = "*", Operation = operation, PermissionType = permission },
    };

    private static AclBindingFilter Filter(ResourceType type = ResourceType.Any, string? name = null, ResourcePatternType pattern = ResourcePatternType.Any, string? principal = null) => new()
    {
        PatternFilter = new ResourcePatternFilter { Type = type, Name = name, ResourcePatternType = pattern },
        EntryFilter = new AccessControlEntryFilter { Principal = principal, Host = null, Operation = AclOperation.Any, PermissionType = AclPermissionType.Any },
    };

    private static async Task<Error> ProduceAsync(EmbeddedBroker broker, string user, string topic)
    {
        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c =>
        {
            As(c, user);
            c.MessageTimeoutMs = 10_000;
        })).Build();
        try
        {
            await producer.ProduceAsync(topic, new Message<Null, string> { Value = "v" });
            return new Error(ErrorCode.NoError);
        }
        catch (ProduceException<Null, string> e)
        {
            return e.Error;
        }
    }

    [Fact]
    public async Task CreateDescribeDeleteAcls_AdminClient_ManagesAclsWithKafkaFilterSemantics()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync(
        [
            Acl(ResourceType.Topic, "orders", "User:alice", AclOperation.Write),
            Acl(ResourceType.Topic, "app-", "User:alice", AclOperation.Read, pattern: ResourcePatternType.Prefixed),
            Acl(ResourceType.Topic, "*", "User:bob", AclOperation.Describe),
            Acl(ResourceType.Group, "billing", "User:bob", AclOperation.Read, AclPermissionType.Deny),
        ]);

        var all = await admin.DescribeAclsAsync(Filter());
        var matchingAppEvents = await admin.DescribeAclsAsync(Filter(ResourceType.Topic, "app-events", ResourcePatternType.Match));
        var bobs = await admin.DescribeAclsAsync(Filter(principal: "User:bob"));
        var deleted = await admin.DeleteAclsAsync([Filter(ResourceType.Topic, pattern: ResourcePatternType.Prefixed)]);
        var left = await admin.DescribeAclsAsync(Filter());

        Assert.Equal(4, all.AclBindings.Count);
        Assert.Equal(["*", "app-"], matchingAppEvents.AclBindings.Select(a => a.Pattern.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, bobs.AclBindings.Count);
        Assert.Equal("app-", Assert.Single(Assert.Single(deleted).AclBindings).Pattern.Name);
        Assert.Equal(3, left.AclBindings.Count);
    }

    [Fact]
    public async Task CreateAcls_Persistent_SurviveRestart()
    {
        await using (var broker = await StartAsync(persistent: true))
        {
            using var admin = Admin(broker);
            await admin.CreateAclsAsync([Acl(ResourceType.Topic, "orders", "User:alice", AclOperation.Write)]);
        }

        await using var restarted = await StartAsync(persistent: true);
        using var again = Admin(restarted);
        var acl = Assert.Single((await again.DescribeAclsAsync(Filter())).AclBindings);
        Assert.Equal(("orders", "User:alice", AclOperation.Write), (acl.Pattern.Name, acl.Entry.Principal, acl.Entry.Operation));
        Assert.Equal(ErrorCode.NoError, (await ProduceAsync(restarted, "alice", "orders")).Code);
    }

    [Fact]
    public async Task CreateAcls_NotSuperUserWithoutClusterAlter_FailsWithClusterAuthorizationFailed()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker, "alice");

        var error = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync([Acl(ResourceType.Topic, "orders", "User:alice", AclOperation.All)]));

        Assert.Equal(ErrorCode.ClusterAuthorizationFailed, Assert.Single(error.Results).Error.Code);
    }

    [Fact]
    public async Task CreateAcls_NoAuthorizer_FailsWithSecurityDisabled()
    {
        await using var broker = await StartAsync(authorizer: false);
        using var admin = Admin(broker);

        var error = await Assert.ThrowsAsync<CreateAclsException>(() => admin.CreateAclsAsync([Acl(ResourceType.Topic, "orders", "User:alice", AclOperation.Write)]));

        Assert.Equal(ErrorCode.SecurityDisabled, Assert.Single(error.Results).Error.Code);
    }

    [Fact]
    public async Task Produce_DeniedUntilAllowedAndDenyWins_TopicAuthorizationFailed()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker);

        var before = await ProduceAsync(broker, "alice", "orders");
        await admin.CreateAclsAsync([Acl(ResourceType.Topic, "orders", "User:*", AclOperation.Write)]);
        var allowed = await ProduceAsync(broker, "alice", "orders");
        var otherTopic = await ProduceAsync(broker, "alice", "other");
        await admin.CreateAclsAsync([Acl(ResourceType.Topic, "ord", "User:alice", AclOperation.Write, AclPermissionType.Deny, ResourcePatternType.Prefixed)]);
        var denied = await ProduceAsync(broker, "alice", "orders");
        var bob = await ProduceAsync(broker, "bob", "orders");

        Assert.Equal(ErrorCode.TopicAuthorizationFailed, before.Code);
        Assert.Equal(ErrorCode.NoError, allowed.Code);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, otherTopic.Code);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, denied.Code);
        Assert.Equal(ErrorCode.NoError, bob.Code);
    }

    [Fact]
    public async Task Consume_GroupReadDeniedThenAllowed_GroupAuthorizationFailedThenConsumes()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync([Acl(ResourceType.Topic, "app-", "User:alice", AclOperation.All, pattern: ResourcePatternType.Prefixed)]);
        Assert.Equal(ErrorCode.NoError, (await ProduceAsync(broker, "alice", "app-events")).Code);

        var deniedError = ConsumeOne(broker, "alice", "app-events", "readers");
        await admin.CreateAclsAsync([Acl(ResourceType.Group, "readers", "User:alice", AclOperation.Read)]);
        var allowedError = ConsumeOne(broker, "alice", "app-events", "readers");

        Assert.Equal(ErrorCode.GroupAuthorizationFailed, deniedError);
        Assert.Equal(ErrorCode.NoError, allowedError);
    }

    [Fact]
    public async Task Consume_ConsumerProtocolGroupReadDeniedThenAllowed_GroupAuthorizationFailedThenConsumes()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync([Acl(ResourceType.Topic, "app-", "User:alice", AclOperation.All, pattern: ResourcePatternType.Prefixed)]);
        Assert.Equal(ErrorCode.NoError, (await ProduceAsync(broker, "alice", "app-events")).Code);

        var deniedError = ConsumeOne(broker, "alice", "app-events", "kip848-readers", consumerProtocol: true);
        await admin.CreateAclsAsync([Acl(ResourceType.Group, "kip848-readers", "User:alice", AclOperation.Read)]);
        var allowedError = ConsumeOne(broker, "alice", "app-events", "kip848-readers", consumerProtocol: true);

        Assert.Equal(ErrorCode.GroupAuthorizationFailed, deniedError);
        Assert.Equal(ErrorCode.NoError, allowedError);
    }

    [Fact]
    public async Task CommitAndCommitted_TopicNotReadable_ThatTopicTopicAuthorizationFailedOthersCommitted()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync(
        [
            Acl(ResourceType.Group, "committers", "User:alice", AclOperation.Read),
            Acl(ResourceType.Topic, "app-events", "User:alice", AclOperation.Read),
        ]);
        using var consumer = new ConsumerBuilder<Ignore, string>(broker.ConsumerConfig("committers", c => As(c, "alice"))).Build();
        TopicPartitionOffset[] offsets = [new("app-events", 0, 1), new("orders", 0, 1)];

        // librdkafka reports a commit's first partition error as the call's error.
        var commit = Assert.Throws<KafkaException>(() => consumer.Commit(offsets));
        var fetched = Assert.Throws<TopicPartitionOffsetException>(() => consumer.Committed([new("app-events", 0), new("orders", 0)], TimeSpan.FromSeconds(10)));
        var asAdmin = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("committers", null)]);

        Assert.Equal(ErrorCode.TopicAuthorizationFailed, commit.Error.Code);
        Assert.Equal(
            [("app-events", 1L, ErrorCode.NoError), ("orders", Offset.Unset.Value, ErrorCode.TopicAuthorizationFailed)],
            fetched.Results.Select(r => (r.Topic, r.Offset.Value, r.Error.Code)).OrderBy(r => r.Topic, StringComparer.Ordinal));
        Assert.Equal([("app-events", 1L)], Assert.Single(asAdmin).Partitions.Select(p => (p.Topic, p.Offset.Value)));
    }

    [Fact]
    public async Task ListConsumerGroupOffsets_TopicNotDescribable_LeftOutOfTheAllTopicsAnswer()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync([Acl(ResourceType.Group, "audited", "User:alice", AclOperation.Describe)]);
        using (var committer = new ConsumerBuilder<Ignore, string>(broker.ConsumerConfig("audited", c => As(c, "admin"))).Build())
        {
            committer.Commit([new TopicPartitionOffset("app-events", 0, 3), new TopicPartitionOffset("orders", 0, 5)]);
        }

        using var alice = Admin(broker, "alice");
        var before = await alice.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("audited", null)]);
        await admin.CreateAclsAsync([Acl(ResourceType.Topic, "orders", "User:alice", AclOperation.Describe)]);
        var after = await alice.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("audited", null)]);

        Assert.Empty(Assert.Single(before).Partitions);
        Assert.Equal([("orders", 5L)], Assert.Single(after).Partitions.Select(p => (p.Topic, p.Offset.Value)));
    }

    [Fact]
    public async Task Metadata_PrincipalMayDescribeSomeTopics_SeesOnlyThose()
    {
        await using var broker = await StartAsync();
        using var admin = Admin(broker);
        await admin.CreateAclsAsync([Acl(ResourceType.Topic, "app-", "User:alice", AclOperation.Read, pattern: ResourcePatternType.Prefixed)]);

        using var alice = Admin(broker, "alice");
        var visible = alice.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
        var described = await alice.DescribeTopicsAsync(TopicCollection.OfTopicNames(["app-events"]), new DescribeTopicsOptions { IncludeAuthorizedOperations = true });

        Assert.Equal(["app-events"], visible);
        Assert.Equal([AclOperation.Read, AclOperation.Describe], Assert.Single(described.TopicDescriptions).AuthorizedOperations.Order());
    }

    [Fact]
    public async Task KafkaPython_CreateDescribeDeleteAcls_SeesKafkaSemantics()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "/usr/bin/python3 is missing; scripts/install-test-deps.sh installs python3-kafka for it.");
        await using var broker = await StartAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "python", "acl_admin.py");

        var run = await ExternalProcess.RunAsync(python, [script, broker.BootstrapServers, "admin", "admin-secret"], timeout: TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var result = System.Text.Json.JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]);
        var root = result.RootElement;
        Assert.Equal(2, root.GetProperty("succeeded").GetInt32());
        Assert.Equal("NoError", root.GetProperty("describeError").GetString());
        Assert.Equal(["app-:PREFIXED:User:alice:READ", "orders:LITERAL:User:alice:WRITE"], root.GetProperty("before").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([1], root.GetProperty("deleted").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(["orders:LITERAL:User:alice:WRITE"], root.GetProperty("after").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>Consumes one record in <paramref name="group"/>; returns the first error the consumer reports, or NoError once a record arrives.</summary>
    private static ErrorCode ConsumeOne(EmbeddedBroker broker, string user, string topic, string group, bool consumerProtocol = false)
    {
        var errors = new List<ErrorCode>();
        using var consumer = new ConsumerBuilder<Ignore, string>(broker.ConsumerConfig(group, c =>
            {
                As(c, user);
                if (consumerProtocol)
                {
                    c.GroupProtocol = GroupProtocol.Consumer;
                }
            }))
            .SetErrorHandler((_, e) => errors.Add(e.Code))
            .Build();
        consumer.Subscribe(topic);
        var deadline = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(deadline) < Bounded)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false })
                {
                    consumer.Close();
                    return ErrorCode.NoError;
                }
            }
            catch (ConsumeException e)
            {
                return e.Error.Code;
            }

            lock (errors)
            {
                if (errors.Count > 0)
                {
                    return errors[0];
                }
            }
        }

        return ErrorCode.Local_TimedOut;
    }
}

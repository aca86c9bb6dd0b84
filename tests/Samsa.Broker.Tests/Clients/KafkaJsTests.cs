using System.Text.Json;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// kafkajs (pure JavaScript, its own protocol implementation and group client) against Samsa.Broker: admin, plain and
/// gzip produce, a consumer group with commits, the idempotent producer and transactions. The script and its pinned
/// package live in Clients/node; scripts/install-test-deps.sh runs <c>npm ci</c> there.
/// </summary>
public class KafkaJsTests
{
    private static readonly string ScriptDirectory = Path.Combine(RepositoryPaths.Root, "tests", "Samsa.Broker.Tests", "Clients", "node");

    [Theory]
    [InlineData("produce-consume")]
    [InlineData("produce-consume-gzip")]
    public async Task KafkaJs_CreateProduceConsumeInGroupDelete_SeesEveryRecordAndCommits(string scenario)
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        using var result = await RunAsync(broker, scenario, "js-" + scenario);

        var root = result.RootElement;
        Assert.True(root.GetProperty("created").GetBoolean());
        Assert.All(root.GetProperty("acks").EnumerateArray(), a => Assert.Equal(0, a.GetProperty("error").GetInt32()));
        var expected = Enumerable.Range(0, 90).Select(i => $"{i % 3}:{i / 3}:k{i}=v{i}|n={i}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, root.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(["30", "30", "30"], root.GetProperty("committed").EnumerateArray().Select(c => c.GetProperty("offset").GetString()));
        Assert.Equal("Empty", root.GetProperty("groupState").GetString());
        Assert.Equal(3, root.GetProperty("partitions").GetInt32());
        Assert.True(root.GetProperty("listed").GetBoolean());
        Assert.True(root.GetProperty("deleted").GetBoolean());
    }

    [Fact]
    public async Task KafkaJs_IdempotentProducer_EveryRecordOnceInOrder()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        using var result = await RunAsync(broker, "idempotent", "js-idempotent");

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"v{i}"), result.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task KafkaJs_Transactions_ReadCommittedSeesOnlyCommittedRecords()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        using var result = await RunAsync(broker, "transactions", "js-transactions");

        var root = result.RootElement;
        Assert.Equal(["committed-1", "committed-2", "committed-3"], root.GetProperty("readCommitted").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["aborted-1", "aborted-2", "committed-1", "committed-2", "committed-3"], root.GetProperty("readUncommitted").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task KafkaJs_Acls_CreateDescribeDelete()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.Security.Protocol = Samsa.Broker.Security.BrokerSecurityProtocol.SaslPlaintext;
            o.Security.SaslMechanisms.Add(Samsa.Broker.Security.SaslMechanismNames.Plain);
            o.Security.Users.Add("admin", "admin-secret");
            o.Security.EnableAuthorizer = true;
            o.Security.SuperUsers.Add("User:admin");
        });

        using var result = await RunAsync(broker, "acls", "js-orders", "admin", "admin-secret");

        // Pattern types by Kafka's codes: 3 literal, 4 prefixed; operations: 3 READ, 4 WRITE.
        var root = result.RootElement;
        Assert.Equal(["js-:4:User:alice:3", "js-orders:3:User:alice:4"], root.GetProperty("before").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal([1], root.GetProperty("deleted").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(["js-orders:3:User:alice:4"], root.GetProperty("after").EnumerateArray().Select(v => v.GetString()));
    }

    private static async Task<JsonDocument> RunAsync(EmbeddedBroker broker, string scenario, string topic, params string[] sasl)
    {
        var node = ExternalProcess.Find("node") ?? throw new InvalidOperationException("node is not installed; scripts/install-test-deps.sh installs it.");
        Assert.True(
            Directory.Exists(Path.Combine(ScriptDirectory, "node_modules", "kafkajs")),
            $"kafkajs is not installed in {ScriptDirectory}; scripts/install-test-deps.sh runs npm ci there.");

        var run = await ExternalProcess.RunAsync(
            node,
            [Path.Combine(ScriptDirectory, "kafkajs_client.js"), broker.BootstrapServers, scenario, topic, .. sasl],
            timeout: TimeSpan.FromSeconds(120),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]);
    }
}

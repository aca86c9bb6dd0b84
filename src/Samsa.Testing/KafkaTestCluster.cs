using Confluent.Kafka;
using Samsa.Broker;
using Samsa.Broker.Security;
using Samsa.Testing.Faults;
using Samsa.Testing.Requests;
using Samsa.Testing.Security;

namespace Samsa.Testing;

/// <summary>
/// A Kafka cluster for integration tests, in this process: real TCP listeners that any Kafka client
/// talks to unchanged, started in milliseconds, without Docker.
/// <code>
/// await using var kafka = await KafkaTestCluster.StartAsync(o => o.Nodes = 3);
/// var topic = await kafka.CreateTopicAsync(kafka.UniqueName("orders"), partitions: 6);
/// using var producer = new ProducerBuilder&lt;string, string&gt;(kafka.ProducerConfig()).Build();
/// using var fault = kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.NotEnoughReplicas);
/// </code>
/// It works from any test framework; <c>Samsa.Testing.XunitV3</c> adds fixtures. <see cref="Faults"/> injects
/// failures and <see cref="Requests"/> records what clients asked for.
/// </summary>
public sealed partial class KafkaTestCluster : IAsyncDisposable
{
    /// <summary>The <c>client.id</c> of the cluster's own helper clients (<see cref="ConsumeToEndAsync(string, TimeSpan?, CancellationToken)"/>); the request log leaves them out.</summary>
    public const string HelperClientId = "samsa-testing-helper";

    private static long s_uniqueNames;

    private readonly KafkaTestClusterOptions _options;
    private readonly TestCertificateAuthority? _authority;
    private readonly string? _temporaryDirectory;
    private int _disposed;

    private KafkaTestCluster(KafkaTestClusterOptions options, SamsaBroker broker, TestCertificateAuthority? authority, string? temporaryDirectory, RequestLog? log)
    {
        _options = options;
        Broker = broker;
        _authority = authority;
        _temporaryDirectory = temporaryDirectory;
        Requests = log ?? new RequestLog(0);
        Faults = new KafkaFaults(broker.Control, options.TimeProvider);
        broker.Control.Interceptor = new FaultInterceptor(Faults, log, broker.Cluster, broker.Control);
        ClientSecurity = CreateClientSecurity(options, authority);
    }

    /// <summary>The broker underneath, for what this class does not cover.</summary>
    public SamsaBroker Broker { get; }

    /// <summary>Comma-separated <c>host:port</c> of the running nodes, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => Broker.BootstrapServers;

    /// <summary>The security settings a client needs (protocol, SASL login, CA to trust).</summary>
    public KafkaClientSecurity ClientSecurity { get; }

    /// <summary>Fault injection: errors by code, delays, disconnects, throttling, paused fetches, leaderless partitions.</summary>
    public KafkaFaults Faults { get; }

    /// <summary>The requests the cluster served; empty when <see cref="KafkaTestClusterOptions.LogRequests"/> is off.</summary>
    public RequestLog Requests { get; }

    /// <summary>Nodes in the cluster (ids 0..N-1).</summary>
    public int NodeCount => Broker.Nodes.Count;

    /// <summary>Starts a cluster; every node listens on a free loopback port.</summary>
    public static async Task<KafkaTestCluster> StartAsync(Action<KafkaTestClusterOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new KafkaTestClusterOptions();
        configure?.Invoke(options);
        Validate(options);
        string? temporaryDirectory = null;
        TestCertificateAuthority? authority = null;
        try
        {
            var broker = new BrokerOptions
            {
                NodeCount = options.Nodes,
                Host = "127.0.0.1",
                AutoCreateTopics = options.AutoCreateTopics,
                DefaultPartitions = options.DefaultPartitions,
                GroupInitialRebalanceDelay = options.GroupInitialRebalanceDelay,
                TimeProvider = options.TimeProvider,
                // A test cluster stops at the end of each test: don't wait on clients that linger.
                ShutdownTimeout = TimeSpan.FromMilliseconds(200),
            };
            if (options.Storage == KafkaTestStorage.Disk)
            {
                broker.DataDirectory = options.DataDirectory ?? (temporaryDirectory = Directory.CreateTempSubdirectory("samsa-testing-").FullName);
            }

            foreach (var (name, partitions) in options.Topics)
            {
                broker.SeedTopics[name] = partitions;
            }

            authority = ConfigureSecurity(options, broker.Security);
            options.ConfigureBroker?.Invoke(broker);
            var log = options.LogRequests ? new RequestLog(options.RequestLogCapacity) : null;
            var started = await SamsaBroker.StartAsync(broker, options.LoggerFactory, cancellationToken).ConfigureAwait(false);
            return new KafkaTestCluster(options, started, authority, temporaryDirectory, log);
        }
        catch
        {
            authority?.Dispose();
            DeleteDirectory(temporaryDirectory);
            throw;
        }
    }

    /// <summary>
    /// A name no other test uses: <paramref name="prefix"/>, a counter and random characters
    /// (<c>orders-7-3f9a1c2e</c>). Valid as a topic name, group id or transactional id.
    /// </summary>
    public static string UniqueName(string prefix = "test") =>
        $"{prefix}-{Interlocked.Increment(ref s_uniqueNames)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Stops a node as a crash would: its connections are cut and its partitions' leadership moves to other in-sync replicas.</summary>
    public Task StopNodeAsync(int nodeId) => Broker.StopNodeAsync(CheckNode(nodeId));

    /// <summary>Starts a stopped node again on its old port.</summary>
    public Task StartNodeAsync(int nodeId) => Broker.StartNodeAsync(CheckNode(nodeId));

    /// <summary>Stops a node and starts it again.</summary>
    public async Task RestartNodeAsync(int nodeId)
    {
        await StopNodeAsync(nodeId).ConfigureAwait(false);
        await StartNodeAsync(nodeId).ConfigureAwait(false);
    }

    /// <summary>Stops every node, then deletes the temporary data directory and certificate files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Faults.Clear();
        Broker.Control.Interceptor = null;
        await Broker.DisposeAsync().ConfigureAwait(false);
        _authority?.Dispose();
        DeleteDirectory(_temporaryDirectory);
    }

    private int CheckNode(int nodeId)
    {
        if ((uint)nodeId >= (uint)NodeCount)
        {
            throw new ArgumentOutOfRangeException(nameof(nodeId), nodeId, $"The cluster has nodes 0 to {NodeCount - 1}.");
        }

        return nodeId;
    }

    private static void Validate(KafkaTestClusterOptions options)
    {
        if (options.Nodes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Nodes, $"{nameof(KafkaTestClusterOptions.Nodes)} must be at least 1 (was {options.Nodes}).");
        }

        if (options.DataDirectory is not null && options.Storage != KafkaTestStorage.Disk)
        {
            throw new ArgumentException(
                $"{nameof(KafkaTestClusterOptions.DataDirectory)} is set to '{options.DataDirectory}' but {nameof(KafkaTestClusterOptions.Storage)} is {options.Storage}; set Storage = KafkaTestStorage.Disk.",
                nameof(options));
        }

        if (options.RequestLogCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RequestLogCapacity, $"{nameof(KafkaTestClusterOptions.RequestLogCapacity)} must be at least 1.");
        }
    }

    private static TestCertificateAuthority? ConfigureSecurity(KafkaTestClusterOptions options, BrokerSecurityOptions security)
    {
        security.Protocol = options.Security switch
        {
            KafkaTestSecurity.Tls => BrokerSecurityProtocol.Ssl,
            KafkaTestSecurity.SaslPlaintext => BrokerSecurityProtocol.SaslPlaintext,
            KafkaTestSecurity.SaslSsl => BrokerSecurityProtocol.SaslSsl,
            _ => BrokerSecurityProtocol.Plaintext,
        };
        if (security.UsesSasl)
        {
            security.SaslMechanisms.Add(options.SaslMechanism switch
            {
                KafkaTestSaslMechanism.Plain => SaslMechanismNames.Plain,
                KafkaTestSaslMechanism.ScramSha256 => SaslMechanismNames.ScramSha256,
                _ => SaslMechanismNames.ScramSha512,
            });
            security.Users.Add(options.SaslUsername, options.SaslPassword);
        }

        if (!security.UsesTls)
        {
            return null;
        }

        var authority = new TestCertificateAuthority(options.TimeProvider);
        security.ServerCertificate = authority.ServerCertificate;
        return authority;
    }

    private static KafkaClientSecurity CreateClientSecurity(KafkaTestClusterOptions options, TestCertificateAuthority? authority)
    {
        var sasl = options.Security is KafkaTestSecurity.SaslPlaintext or KafkaTestSecurity.SaslSsl;
        return new KafkaClientSecurity
        {
            Protocol = options.Security switch
            {
                KafkaTestSecurity.Tls => SecurityProtocol.Ssl,
                KafkaTestSecurity.SaslPlaintext => SecurityProtocol.SaslPlaintext,
                KafkaTestSecurity.SaslSsl => SecurityProtocol.SaslSsl,
                _ => SecurityProtocol.Plaintext,
            },
            SaslMechanism = !sasl ? null : options.SaslMechanism switch
            {
                KafkaTestSaslMechanism.Plain => SaslMechanism.Plain,
                KafkaTestSaslMechanism.ScramSha256 => SaslMechanism.ScramSha256,
                _ => SaslMechanism.ScramSha512,
            },
            SaslUsername = sasl ? options.SaslUsername : null,
            SaslPassword = sasl ? options.SaslPassword : null,
            CaCertificatePath = authority?.CaCertificatePath,
            CaCertificatePem = authority?.CaCertificatePem,
        };
    }

    private static void DeleteDirectory(string? directory)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}

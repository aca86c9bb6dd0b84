using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Samsa.Broker;
using Samsa.Broker.Security;
using Samsa.Chaos.Tests.Support;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Chaos.Tests;

/// <summary>
/// Scenario 4 (wire): mutations of well-formed request frames of every API key and version the broker
/// serves (as ApiVersions lists them), including produce requests carrying real record batches, sent
/// before authentication, on a plaintext listener and after a SASL/PLAIN login. The broker must never
/// crash or stop serving: a probe with a valid Metadata request is answered throughout, memory stays
/// bounded and every garbage connection is cleaned up. Short mode: 10^4 mutations per listener; long mode: 10^6.
/// </summary>
public sealed class ProtocolFuzzTests
{
    private const string User = "fuzz";
    private const string Password = "fuzz-secret";
    private const int FramesPerConnection = 4;
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("plaintext")]
    [InlineData("sasl-before-login")]
    [InlineData("sasl-after-login")]
    public async Task MutatedFrames_BrokerKeepsServingValidRequests(string listener)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var sasl = listener != "plaintext";
        var login = listener == "sasl-after-login";
        var options = new BrokerOptions { SeedTopics = { ["fuzz"] = 3 }, IdleConnectionTimeout = TimeSpan.FromSeconds(30) };
        if (sasl)
        {
            options.Security.Protocol = BrokerSecurityProtocol.SaslPlaintext;
            options.Security.SaslMechanisms.Add("PLAIN");
            options.Security.Users.Add(User, Password);
        }

        await using var broker = await SamsaBroker.StartAsync(options, cancellationToken: cancellationToken);
        var node = broker.Nodes[0];
        var corpus = await BuildCorpusAsync(node.Host, node.Port, cancellationToken);
        var mutations = ChaosMode.Size(10_000, 1_000_000);
        var random = new Random(ChaosMode.Seed);
        var stats = new FuzzStats();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var probeEvery = ChaosMode.Size(1_000, 20_000);
        var nextProbe = probeEvery;
        while (sent < mutations)
        {
            // Eight connections at a time, each carrying a few mutated frames (the first malformed one ends it).
            var batch = Enumerable.Range(0, 8).Select(_ =>
            {
                var frames = Enumerable.Range(0, FramesPerConnection).Select(_ => Mutator.Mutate(corpus, random)).ToList();
                return SendGarbageAsync(node.Host, node.Port, login, frames, stats);
            }).ToList();
            await Task.WhenAll(batch);
            sent += batch.Count * FramesPerConnection;
            if (sent >= nextProbe)
            {
                nextProbe += probeEvery;
                await ProbeAsync(node.Host, node.Port, sasl, stats, $"after {sent} mutated frames");
            }
        }

        await ProbeAsync(node.Host, node.Port, sasl, stats, "at the end");
        var drained = Stopwatch.StartNew();
        while (broker.ListenerOf(node.Id)!.ConnectionCount > 0 && drained.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50, cancellationToken);
        }

        var leftOpen = broker.ListenerOf(node.Id)!.ConnectionCount;

        // Some mutated frames are valid CreateTopics/CreatePartitions requests (seed 82075321 once made a 32,770-partition
        // topic; requests above 10,000 partitions are now refused, as Kafka refuses them, but smaller ones succeed): that
        // state is what the requests asked for, not a leak, so it is dropped before the heap is measured.
        var created = DeleteCreatedTopics(broker);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        var growthMb = (memoryAfter - memoryBefore) / (1024.0 * 1024.0);
        var summary = $"{listener}: {sent} mutated frames from {corpus.Count} seeds ({corpus.Select(c => c.Key).Distinct().Count()} API keys) in {clock.Elapsed.TotalSeconds:F1} s, seed {ChaosMode.Seed}; " +
            $"{stats.Answers} answers, {stats.ClosedByBroker} connections closed by the broker, {stats.Abandoned} left waiting (long polls) and closed by us, " +
            $"{stats.Probes} probes answered; topics the fuzz created (dropped before measuring) {(created.Count == 0 ? "none" : string.Join(", ", created))}; managed heap {memoryBefore / 1048576.0:F1} -> {memoryAfter / 1048576.0:F1} MB; connections left open {leftOpen}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.True(stats.ProbeFailures.Count == 0, summary + "\n" + string.Join('\n', stats.ProbeFailures));
        Assert.True(leftOpen == 0, summary);
        Assert.True(growthMb < 64, summary);
    }

    /// <summary>
    /// Deletes the topics the fuzz created and names them. A method of its own so that no reference to a deleted
    /// topic outlives it: in a Debug build a local keeps its object alive to the end of its method, and the
    /// 32,770-partition topic once stayed on the heap (about 36 MB) only because the test still held it.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<string> DeleteCreatedTopics(SamsaBroker broker)
    {
        var created = new List<string>();
        foreach (var topic in broker.Cluster.Topics.Where(t => t.Name != "fuzz" && !t.Name.StartsWith("__", StringComparison.Ordinal)).ToList())
        {
            created.Add($"{topic.Name} ({topic.Partitions.Count} partitions)");
            broker.Cluster.DeleteTopic(topic);
        }

        return created;
    }

    private static async Task<List<Seed>> BuildCorpusAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var connection = await WireConnection.ConnectAsync(host, port, cancellationToken);
        var versions = await connection.RoundTripAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "chaos", ClientSoftwareVersion = "1" }, 3, ProbeTimeout);
        var corpus = new List<Seed>();
        foreach (var api in versions.ApiKeys)
        {
            var key = (ApiKey)api.ApiKey;
            for (var version = api.MinVersion; version <= api.MaxVersion; version++)
            {
                foreach (var request in SeedRequests(key))
                {
                    try
                    {
                        corpus.Add(new Seed(key, version, WireConnection.Encode(request, version, 7)));
                    }
                    catch (Exception e) when (e is ProtocolException or InvalidOperationException or ArgumentException or NullReferenceException)
                    {
                        // This version cannot express the seed (e.g. a field it lacks): the empty request still covers it.
                    }
                }
            }
        }

        Assert.True(corpus.Count > 100, $"Only {corpus.Count} seed frames.");
        return corpus;
    }

    /// <summary>An empty request of the API, plus filled-in ones for the APIs that carry the most structure.</summary>
    private static IEnumerable<IKafkaRequest> SeedRequests(ApiKey key)
    {
        if (KafkaMessageFactory.CreateRequest(key) is { } empty)
        {
            yield return empty;
        }

        switch (key)
        {
            case ApiKey.Produce:
                foreach (var compression in new[] { CompressionType.None, CompressionType.Gzip, CompressionType.Lz4 })
                {
                    using var builder = new RecordBatchBuilder(compression);
                    for (var i = 0; i < 5; i++)
                    {
                        builder.Append(1_700_000_000_000 + i, Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes($"value-{i}"), [new RecordHeader("h", Encoding.UTF8.GetBytes("v"))]);
                    }

                    yield return new ProduceRequest
                    {
                        Acks = -1,
                        TimeoutMs = 1000,
                        TopicData = [new() { Name = "fuzz", PartitionData = [new() { Index = 0, Records = builder.ToArray() }] }],
                    };
                }

                break;
            case ApiKey.Metadata:
                yield return new MetadataRequest { Topics = [new() { Name = "fuzz" }], AllowAutoTopicCreation = false };
                break;
            case ApiKey.CreateTopics:
                yield return new CreateTopicsRequest { Topics = [new() { Name = "fuzz-created", NumPartitions = 2, ReplicationFactor = 1 }], TimeoutMs = 1000 };
                break;
            case ApiKey.FindCoordinator:
                yield return new FindCoordinatorRequest { Key = "fuzz-group", CoordinatorKeys = ["fuzz-group"] };
                break;
            case ApiKey.SaslHandshake:
                yield return new SaslHandshakeRequest { Mechanism = "PLAIN" };
                break;
            case ApiKey.SaslAuthenticate:
                yield return new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes($"\0{User}\0{Password}") };
                break;
        }
    }

    private static async Task SendGarbageAsync(string host, int port, bool login, List<byte[]> frames, FuzzStats stats)
    {
        using var connection = await WireConnection.ConnectAsync(host, port, CancellationToken.None);
        try
        {
            if (login)
            {
                await connection.AuthenticatePlainAsync(User, Password, ProbeTimeout);
            }

            foreach (var frame in frames)
            {
                await connection.Stream.WriteAsync(frame);
            }

            connection.Stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            while (await connection.ReadFrameAsync(TimeSpan.FromSeconds(5)) is not null)
            {
                Interlocked.Increment(ref stats.Answers);
            }

            Interlocked.Increment(ref stats.ClosedByBroker);
        }
        catch (OperationCanceledException)
        {
            // A mutated fetch can ask for a long poll: the broker may legitimately still be waiting.
            Interlocked.Increment(ref stats.Abandoned);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            Interlocked.Increment(ref stats.ClosedByBroker);
        }
    }

    private static async Task ProbeAsync(string host, int port, bool sasl, FuzzStats stats, string when)
    {
        try
        {
            using var connection = await WireConnection.ConnectAsync(host, port, CancellationToken.None);
            if (sasl)
            {
                await connection.AuthenticatePlainAsync(User, Password, ProbeTimeout);
            }

            var metadata = await connection.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "fuzz" }], AllowAutoTopicCreation = false }, 12, ProbeTimeout);
            var topic = metadata.Topics.Single();
            if (topic.ErrorCode != 0 || topic.Partitions.Count != 3)
            {
                stats.ProbeFailures.Add($"{when}: Metadata answered error {topic.ErrorCode} with {topic.Partitions.Count} partitions");
            }
            else
            {
                stats.Probes++;
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidOperationException)
        {
            stats.ProbeFailures.Add($"{when}: a valid Metadata request was not served: {e.GetType().Name}: {e.Message}");
        }
    }

    private sealed record Seed(ApiKey Key, short Version, byte[] Frame);

    private sealed class FuzzStats
    {
        public int Answers;
        public int ClosedByBroker;
        public int Abandoned;
        public int Probes;

        public List<string> ProbeFailures { get; } = [];
    }

    /// <summary>Structure-aware mutations of a size-prefixed request frame.</summary>
    private static class Mutator
    {
        private static readonly short[] Shorts = [0, -1, 1, short.MaxValue, short.MinValue, 0x00FF];
        private static readonly int[] Ints = [0, -1, 1, int.MaxValue, int.MinValue, 0x00FF_FFFF, 0x7FFF, 100_000_000];

        public static byte[] Mutate(List<Seed> corpus, Random random)
        {
            var seed = corpus[random.Next(corpus.Count)];
            var body = seed.Frame.AsSpan(4).ToArray().ToList();
            var keepSize = false;
            var operations = random.Next(1, 3);
            for (var i = 0; i < operations && body.Count > 0; i++)
            {
                switch (random.Next(10))
                {
                    case 0: // flip a bit
                        var at = random.Next(body.Count);
                        body[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1: // a boundary byte (varint and length edges)
                        body[random.Next(body.Count)] = new byte[] { 0x00, 0xFF, 0x7F, 0x80 }[random.Next(4)];
                        break;
                    case 2: // a boundary int16 (api version, array length of a short string)
                        Write(body, random.Next(body.Count), BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(Shorts[random.Next(Shorts.Length)])));
                        break;
                    case 3: // a boundary int32 (array, bytes and batch lengths, counts)
                        Write(body, random.Next(body.Count), BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(Ints[random.Next(Ints.Length)])));
                        break;
                    case 4: // cut short, size prefix agreeing
                        var keep = random.Next(body.Count);
                        body.RemoveRange(keep, body.Count - keep);
                        break;
                    case 5: // header: another API version or key
                        if (body.Count >= 4)
                        {
                            Write(body, random.Next(2) * 2, BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((short)random.Next(-2, 80))));
                        }

                        break;
                    case 6: // insert random bytes
                        var insert = new byte[random.Next(1, 16)];
                        random.NextBytes(insert);
                        body.InsertRange(random.Next(body.Count), insert);
                        break;
                    case 7: // splice with another seed
                        var other = corpus[random.Next(corpus.Count)].Frame;
                        var cut = random.Next(body.Count);
                        body.RemoveRange(cut, body.Count - cut);
                        body.AddRange(other.Skip(4 + random.Next(Math.Max(1, other.Length - 4))));
                        break;
                    case 8: // a size prefix that disagrees with the body
                        keepSize = true;
                        break;
                    default: // delete a range
                        var from = random.Next(body.Count);
                        body.RemoveRange(from, Math.Min(body.Count - from, random.Next(1, 8)));
                        break;
                }
            }

            var frame = new byte[body.Count + 4];
            var size = keepSize ? new[] { -1, 0, int.MaxValue, body.Count + 1, body.Count - 1, 200 * 1024 * 1024 }[random.Next(6)] : body.Count;
            BinaryPrimitives.WriteInt32BigEndian(frame, size);
            body.CopyTo(frame, 4);
            return frame;
        }

        private static void Write(List<byte> body, int position, byte[] value)
        {
            for (var i = 0; i < value.Length && position + i < body.Count; i++)
            {
                body[position + i] = value[i];
            }
        }
    }
}

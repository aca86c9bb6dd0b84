using System.Text;
using Confluent.Kafka;
using Samsa.Chaos.Tests.Support;

namespace Samsa.Chaos.Tests;

/// <summary>
/// Scenario 4 (HTTP): bad requests to the EventService's <c>POST /events/{topic}</c>, written byte for
/// byte: oversized, truncated, non-JSON, wrong content types, invalid topic names (including <c>.</c>
/// and <c>..</c>), header injection. Each gets its specific 4xx (or, for a body cut short, no answer),
/// and nothing reaches Kafka.
/// </summary>
public sealed class HttpSurfaceTests(HttpSurfaceTests.Host host) : IClassFixture<HttpSurfaceTests.Host>
{
    private const string Topic = "orders";
    private static readonly string Big = "{\"x\":\"" + new string('a', 1024 * 1024 + 10) + "\"}";

    public static TheoryData<string> Cases() => [.. BadRequests.Keys];

    private static readonly Dictionary<string, (byte[] Request, bool CloseAfterSend, int[] Expected)> BadRequests = new()
    {
        ["body over MaxBodyBytes, Content-Length"] = (RawHttp.Request("POST", $"/events/{Topic}", Big, "Content-Type: application/json"), false, [413]),
        ["body over MaxBodyBytes, chunked"] = (Chunked($"/events/{Topic}", Big), false, [413]),
        ["body cut short of its Content-Length"] = (RawHttp.Request("POST", $"/events/{Topic}", "{\"a\":1", "Content-Type: application/json", "Content-Length: 100"), true, [400, 0]),
        ["not JSON"] = (RawHttp.Request("POST", $"/events/{Topic}", "hello", "Content-Type: application/json"), false, [400]),
        ["empty body"] = (RawHttp.Request("POST", $"/events/{Topic}", "", "Content-Type: application/json"), false, [400]),
        ["JSON then garbage"] = (RawHttp.Request("POST", $"/events/{Topic}", "{\"a\":1} x", "Content-Type: application/json"), false, [400]),
        ["invalid UTF-8 in JSON"] = (Bytes($"POST /events/{Topic} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{{\"a\":\"", [0xC3, 0x28], "\"}"), false, [400]),
        ["Content-Type text/plain"] = (RawHttp.Request("POST", $"/events/{Topic}", "{}", "Content-Type: text/plain"), false, [415]),
        ["Content-Type multipart/form-data"] = (RawHttp.Request("POST", $"/events/{Topic}", "{}", "Content-Type: multipart/form-data; boundary=x"), false, [415]),
        ["Content-Type unparsable"] = (RawHttp.Request("POST", $"/events/{Topic}", "{}", "Content-Type: ;;;"), false, [415]),
        ["topic with '!'"] = (RawHttp.Request("POST", "/events/bad!topic", "{}"), false, [400]),
        ["topic '.' (percent-encoded)"] = (RawHttp.Request("POST", "/events/%2E", "{}"), false, [400, 404]),
        // Kestrel removes dot segments before routing: "/events/.." is "/", which has no POST (405).
        ["topic '..' (percent-encoded)"] = (RawHttp.Request("POST", "/events/%2E%2E", "{}"), false, [400, 404, 405]),
        ["topic '.' (literal segment)"] = (RawHttp.Request("POST", "/events/.", "{}"), false, [400, 404]),
        ["topic '..' (literal segment)"] = (RawHttp.Request("POST", "/events/..", "{}"), false, [400, 404, 405]),
        ["topic of 250 characters"] = (RawHttp.Request("POST", "/events/" + new string('t', 250), "{}"), false, [400]),
        ["topic with non-ASCII"] = (RawHttp.Request("POST", "/events/caf%C3%A9", "{}"), false, [400]),
        ["topic with encoded slash"] = (RawHttp.Request("POST", "/events/a%2Fb", "{}"), false, [400]),
        // A bare LF ends a header line in Kestrel (as RFC 9112 allows), so "a\nX: b" is two headers, not an injection; CR and NUL inside a value are refused.
        ["header with a NUL"] = (RawHttp.Request("POST", $"/events/{Topic}", "{}", "X-Correlation-Id: a\0b"), false, [400]),
        ["header folded over two lines"] = (RawHttp.Request("POST", $"/events/{Topic}", "{}", "X-Event-Key: a\r\n b"), false, [400]),
        ["header value with CR"] = (RawHttp.Request("POST", $"/events/{Topic}", "{}", "X-Event-Type: a\rb"), false, [400]),
        ["GET instead of POST"] = (RawHttp.Request("GET", $"/events/{Topic}", null), false, [405]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PostEvent_BadRequest_SpecificClientErrorAndNothingWritten(string name)
    {
        var (request, closeAfterSend, expected) = BadRequests[name];
        var before = host.StoredEvents();

        var (status, response) = await RawHttp.SendAsync(host.App.Address, request, closeAfterSend, TimeSpan.FromSeconds(30));

        Assert.True(expected.Contains(status), $"{name}: expected {string.Join(" or ", expected)}, got {status}:\n{response[..Math.Min(response.Length, 600)]}");
        Assert.Equal(before, host.StoredEvents());
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {status}");
    }

    [Fact]
    public async Task PostEvent_ValidRequestAfterTheBadOnes_Returns201AndWritesOne()
    {
        var before = host.StoredEvents();

        var (status, response) = await RawHttp.SendAsync(host.App.Address, RawHttp.Request("POST", $"/events/{Topic}", "{\"ok\":true}", "Content-Type: application/json"), false, TimeSpan.FromSeconds(30));

        Assert.True(status == 201, response);
        Assert.Equal(before + 1, host.StoredEvents());
    }

    private static byte[] Chunked(string path, string body)
    {
        var head = $"POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        var bytes = Encoding.UTF8.GetBytes(body);
        return Bytes(head + $"{bytes.Length:X}\r\n", bytes, "\r\n0\r\n\r\n");
    }

    private static byte[] Bytes(string head, byte[] middle, string tail) =>
        [.. Encoding.UTF8.GetBytes(head), .. middle, .. Encoding.UTF8.GetBytes(tail)];

    /// <summary>The EventService shared by these cases, and a count of what Kafka holds for the declared topics.</summary>
    public sealed class Host : IAsyncLifetime
    {
        internal EventServiceHost App { get; } = new();

        public ValueTask InitializeAsync()
        {
            App.StartServer();
            return ValueTask.CompletedTask;
        }

        public async ValueTask DisposeAsync() => await App.DisposeAsync();

        /// <summary>Records stored in every topic the broker has (high watermarks summed).</summary>
        public long StoredEvents()
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = App.BootstrapServers }).Build();
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = App.BootstrapServers, GroupId = "chaos-watermarks" }).Build();
            return metadata.Topics
                .Where(t => !t.Topic.StartsWith("__", StringComparison.Ordinal))
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
                .Sum(tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30)).High.Value);
        }
    }
}

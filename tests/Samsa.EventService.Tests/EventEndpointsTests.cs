using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Samsa.Publishing;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests;

public sealed class EventEndpointsTests(DevelopmentAppFixture fixture) : IClassFixture<DevelopmentAppFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task PostEvent_JsonBodyWithHeaders_Returns201AndConsumerReadsBodyKeyAndAllHeaders()
    {
        const string body = "{ \"orderId\": \"o-1\", \"total\": 12.5, \"lines\": [1, 2] }";
        using var request = Post("orders", body);
        request.Headers.Add("X-Event-Key", "customer-7");
        request.Headers.Add("X-Correlation-Id", "corr-42");
        request.Headers.Add("X-Event-Type", "order-placed");

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("corr-42", Assert.Single(response.Headers.GetValues("X-Correlation-Id")));
        var published = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("orders", published.GetProperty("topic").GetString());
        var offset = published.GetProperty("offset").GetInt64();
        var partition = published.GetProperty("partition").GetInt32();
        var eventId = published.GetProperty("eventId").GetGuid();
        var timestamp = published.GetProperty("timestamp").GetDateTimeOffset();

        using var consumer = fixture.App.CreateConsumer("orders");
        var record = consumer.ConsumeMany(100, TimeSpan.FromSeconds(3)).Single(r => r.Offset.Value == offset);
        Assert.Equal(partition, record.Partition.Value);
        Assert.Equal(body, record.Message.Value);
        Assert.Equal("customer-7", record.Message.Key);
        Assert.Equal(eventId.ToString("D"), Header(record, SamsaHeaders.EventId));
        Assert.Equal("order-placed", Header(record, SamsaHeaders.EventType));
        Assert.Equal("corr-42", Header(record, SamsaHeaders.CorrelationId));
        Assert.Equal("application/json", Header(record, SamsaHeaders.ContentType));
        var stamped = DateTimeOffset.ParseExact(Header(record, SamsaHeaders.Timestamp), "O", CultureInfo.InvariantCulture);
        Assert.Equal(stamped.ToUnixTimeMilliseconds(), record.Message.Timestamp.UnixTimestampMs);
        Assert.Equal(timestamp.ToUnixTimeMilliseconds(), record.Message.Timestamp.UnixTimestampMs);
    }

    [Fact]
    public async Task PostEvent_NoOptionalHeaders_UsesTopicAsEventTypeAndGeneratesCorrelationId()
    {
        using var response = await fixture.Client.SendAsync(Post("events", "[true, null, \"x\"]"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var correlationId = Assert.Single(response.Headers.GetValues("X-Correlation-Id"));
        var offset = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offset").GetInt64();
        using var consumer = fixture.App.CreateConsumer("events");
        var record = consumer.ConsumeMany(100, TimeSpan.FromSeconds(3)).Single(r => r.Offset.Value == offset);
        Assert.Null(record.Message.Key);
        Assert.Equal("events", Header(record, SamsaHeaders.EventType));
        Assert.Equal(correlationId, Header(record, SamsaHeaders.CorrelationId));
    }

    [Fact]
    public async Task PostEvent_SeveralEvents_AnswersIncreasingOffsets()
    {
        var offsets = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await fixture.Client.SendAsync(Post("events", $"{{\"n\":{i}}}"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            offsets.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offset").GetInt64());
        }

        Assert.Equal(offsets.Order().ToList(), offsets);
        Assert.Equal(5, offsets.Distinct().Count());
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("not json")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("{\"a\":1 /* comment */}")]
    public async Task PostEvent_InvalidJson_Returns400ProblemDetails(string body)
    {
        using var response = await fixture.Client.SendAsync(Post("orders", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid JSON", problem.GetProperty("title").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task PostEvent_EmptyBody_Returns400()
    {
        using var response = await fixture.Client.SendAsync(Post("orders", string.Empty));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PostEvent_UndeclaredTopic_Returns404NamingTheDeclaredTopics()
    {
        using var response = await fixture.Client.SendAsync(Post("payments", "{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        // The sample pipeline's consumer of events declares its retry, dead-letter and replay-ledger topics too.
        Assert.Contains("events, events.dlq, events.dlq.replayed, events.retry.1, orders", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEvent_IllegalTopicName_Returns400()
    {
        using var response = await fixture.Client.SendAsync(Post("bad!topic", "{}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'bad!topic' is not a Kafka topic name: it contains `!`", await ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    /// <summary>Sent as written (no client-side dot-segment removal): Kestrel would turn <c>/events/..</c> into <c>/</c>.</summary>
    [Theory]
    [InlineData("/events/.", ".")]
    [InlineData("/events/..", "..")]
    [InlineData("/events/%2E%2e", "..")]
    [InlineData("/dlq/..", "..")]
    [InlineData("/dlq/./replay?dryRun=true", ".")]
    public async Task DotSegmentTopic_Returns400SayingKafkaForbidsIt(string path, string topic)
    {
        var method = path.Contains("/replay", StringComparison.Ordinal) || path.StartsWith("/events/", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get;
        using var request = new HttpRequestMessage(method, new Uri(fixture.Client.BaseAddress + path[1..], new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }))
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };

        using var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith($"'{topic}' is not a Kafka topic name: it cannot be `.` or `..`.", await ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEvent_TopicOf250Characters_Returns400_249IsOnlyUndeclared()
    {
        using var tooLong = await fixture.Client.SendAsync(Post(new string('t', 250), "{}"));
        using var longest = await fixture.Client.SendAsync(Post(new string('t', 249), "{}"));

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("is 250 characters long; Kafka allows at most 249", await ProblemDetailAsync(tooLong), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, longest.StatusCode);
    }

    [Fact]
    public async Task ListDeadLetters_IllegalTopicName_Returns400()
    {
        using var response = await fixture.Client.GetAsync(new Uri("/dlq/bad!topic", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'bad!topic' is not a Kafka topic name", await ProblemDetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEvent_BodyOverMaxBodyBytes_Returns413()
    {
        var big = "{\"x\":\"" + new string('a', 1024 * 1024 + 10) + "\"}";

        using var response = await fixture.Client.SendAsync(Post("orders", big));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task HealthReady_EmbeddedBroker_Returns200WithKafkaAndProducerChecksHealthy()
    {
        using var response = await fixture.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("Healthy", checks["kafka"]);
        Assert.Equal("Healthy", checks[PublisherDefaults.HealthCheckName]);
    }

    [Fact]
    public async Task HealthLive_Always_Returns200WithoutKafkaChecks()
    {
        using var response = await fixture.Client.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Empty(report.GetProperty("checks").EnumerateArray());
    }

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;

    private static HttpRequestMessage Post(string topic, string body) =>
        new(HttpMethod.Post, new Uri("/events/" + topic, UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

    private static string Header(ConsumeResult<string?, string> record, string key) =>
        record.Message.Headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : throw new Xunit.Sdk.XunitException($"Header {key} is missing.");
}

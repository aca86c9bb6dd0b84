using System.Net;
using System.Text.Json;
using Samsa.Consuming.DeadLetter;
using Samsa.TestUtils;
using static Samsa.EventService.Tests.SamplePipelineClient;

namespace Samsa.EventService.Tests;

/// <summary>The sample consumer of <c>events</c>: what it handled, its retries and its status.</summary>
public sealed class PipelineEndpointsTests(DevelopmentAppFixture fixture) : IClassFixture<DevelopmentAppFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task TransientOnceEvent_RetriedInPlace_HandledOnceOnItsSecondAttempt()
    {
        var published = await Client.PublishAsync("{\"orderId\":\"o-3\",\"fail\":\"transient-once\"}", key: "customer-3");

        var handled = Assert.Single(await Poll.UntilAsync(() => Client.HandledAsync(published.EventId), h => h.Count > 0, "the event handled"));

        Assert.Equal(2, handled.GetProperty("attempt").GetInt32());
        Assert.Equal(0, handled.GetProperty("retryLevel").GetInt32());
        Assert.Equal(published.Offset, handled.GetProperty("offset").GetInt64());
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Single(await Client.HandledAsync(published.EventId));
        Assert.Empty(await Client.DeadLettersAsync(published));
    }

    [Fact]
    public async Task TransientEvent_FailsEveryAttempt_GoesThroughTheRetryTopicToTheDeadLetterTopic()
    {
        var published = await Client.PublishAsync("{\"fail\":\"transient\"}");

        var dead = Assert.Single(await Poll.UntilAsync(() => Client.DeadLettersAsync(published), d => d.Count > 0, "the event dead-lettered")).GetProperty("deadLetter");

        Assert.Equal(DeadLetterReasons.RetriesExhausted, dead.GetProperty("reason").GetString());
        Assert.Equal(typeof(Samsa.Consuming.Retry.TransientFailureException).FullName, dead.GetProperty("exceptionType").GetString());
        Assert.Equal(4, dead.GetProperty("attempts").GetInt32());
        Assert.Empty(await Client.HandledAsync(published.EventId));
        var status = await Client.GetJsonAsync("/pipeline");
        Assert.True(status.GetProperty("consumer").GetProperty("forwardedToRetry").GetInt64() >= 1);
        Assert.True(status.GetProperty("consumer").GetProperty("deadLettered").GetInt64() >= 1);
    }

    [Fact]
    public async Task PlainEvent_Handled_ListedWithItsKeyAndCountedInTheStatus()
    {
        var published = await Client.PublishAsync("{\"orderId\":\"o-4\"}", key: "customer-4");

        var handled = Assert.Single(await Poll.UntilAsync(() => Client.HandledAsync(published.EventId), h => h.Count > 0, "the event handled"));

        Assert.Equal("customer-4", handled.GetProperty("key").GetString());
        Assert.Equal(1, handled.GetProperty("attempt").GetInt32());
        Assert.Equal(JsonValueKind.Null, handled.GetProperty("replayedFrom").ValueKind);
        var status = await Client.GetJsonAsync("/pipeline");
        Assert.Equal("events", status.GetProperty("topic").GetString());
        Assert.Equal("event-service", status.GetProperty("group").GetString());
        Assert.Equal("events.dlq", status.GetProperty("deadLetterTopic").GetString());
        Assert.True(status.GetProperty("permanentFailuresHonoured").GetBoolean());
        Assert.True(status.GetProperty("consumer").GetProperty("handled").GetInt64() >= 1);
    }

    [Fact]
    public async Task HandledEvents_TopicWithoutSampleConsumer_Returns404()
    {
        var problem = await Client.GetJsonAsync("/events/orders/handled", HttpStatusCode.NotFound);

        Assert.Contains("'events'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

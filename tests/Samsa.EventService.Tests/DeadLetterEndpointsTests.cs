using System.Net;
using System.Text.Json;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;
using Samsa.TestUtils;
using static Samsa.EventService.Tests.SamplePipelineClient;

namespace Samsa.EventService.Tests;

/// <summary><c>GET /dlq/{topic}</c> and <c>POST /dlq/{topic}/replay</c> over the sample pipeline, on the embedded broker.</summary>
public sealed class DeadLetterEndpointsTests(DevelopmentAppFixture fixture) : IClassFixture<DevelopmentAppFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Replay_PermanentOnceEventDeadLettered_HandledOnceAndSecondReplayWritesNothing()
    {
        var published = await Client.PublishAsync("{\"orderId\":\"o-1\",\"fail\":\"permanent-once\"}", key: "customer-1");

        var dead = Assert.Single(await Poll.UntilAsync(() => Client.DeadLettersAsync(published), d => d.Count > 0, "the event dead-lettered"));
        var deadLetter = dead.GetProperty("deadLetter");
        Assert.Equal("customer-1", deadLetter.GetProperty("key").GetString());
        Assert.Equal("events", deadLetter.GetProperty("originalTopic").GetString());
        Assert.Equal(published.Offset, deadLetter.GetProperty("originalOffset").GetInt64());
        Assert.Equal(typeof(PermanentFailureException).FullName, deadLetter.GetProperty("exceptionType").GetString());
        Assert.Equal(DeadLetterReasons.Permanent, deadLetter.GetProperty("reason").GetString());
        Assert.False(dead.GetProperty("replayed").GetBoolean());
        Assert.Empty(await Client.HandledAsync(published.EventId));

        var dryRun = await Client.PostJsonAsync($"/dlq/events/replay?dryRun=true&{published.Only}");
        Assert.True(dryRun.GetProperty("dryRun").GetBoolean());
        Assert.Equal(1, dryRun.GetProperty("replayed").GetInt32());
        Assert.Equal(-1, Assert.Single(dryRun.GetProperty("records").EnumerateArray()).GetProperty("targetOffset").GetInt64());
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Empty(await Client.HandledAsync(published.EventId));

        var replay = await Client.PostJsonAsync($"/dlq/events/replay?{published.Only}");
        Assert.Equal(1, replay.GetProperty("replayed").GetInt32());

        var handled = Assert.Single(await Poll.UntilAsync(() => Client.HandledAsync(published.EventId), h => h.Count > 0, "the replayed event handled"));
        Assert.Equal($"events.dlq/{dead.GetProperty("deadLetter").GetProperty("partition").GetInt32()}/{dead.GetProperty("deadLetter").GetProperty("offset").GetInt64()}",
            handled.GetProperty("replayedFrom").GetString());
        Assert.Equal("customer-1", handled.GetProperty("key").GetString());
        Assert.Equal("o-1", handled.GetProperty("event").GetProperty("orderId").GetString());

        var again = await Client.PostJsonAsync($"/dlq/events/replay?{published.Only}");
        Assert.Equal(0, again.GetProperty("replayed").GetInt32());
        Assert.Equal(1, again.GetProperty("alreadyReplayed").GetInt32());
        Assert.True(Assert.Single(await Client.DeadLettersAsync(published)).GetProperty("replayed").GetBoolean());
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Single(await Client.HandledAsync(published.EventId));
    }

    /// <summary>The query names are <see cref="ReplayFilter"/>'s properties in camelCase.</summary>
    [Fact]
    public async Task List_FilterQueryNamesAreTheLibrarysPropertyNames()
    {
        var published = await Client.PublishAsync("{\"orderId\":\"o-names\",\"fail\":\"permanent\"}");
        await Poll.UntilAsync(() => Client.DeadLettersAsync(published), d => d.Count > 0, "the event dead-lettered");

        async Task<int> MatchedAsync(string query) => (await Client.GetJsonAsync($"/dlq/events?{published.Only}&{query}")).GetProperty("matched").GetInt32();

        Assert.Equal(1, await MatchedAsync(
            $"exceptionType=PermanentFailureException&reason={DeadLetterReasons.Permanent}&groupId=event-service&failedFrom=2000-01-01T00:00:00Z&failedTo=2100-01-01T00:00:00Z"));
        Assert.Equal(0, await MatchedAsync("groupId=another-group"));
        Assert.Equal(0, await MatchedAsync("failedTo=2000-01-01T00:00:00Z"));

        // The names from before are refused rather than ignored: an ignored one would widen a replay.
        var renamed = await Client.PostJsonAsync($"/dlq/events/replay?dryRun=true&partition={published.Partition}", HttpStatusCode.BadRequest);
        Assert.Contains("'partition' is now 'originalPartition'", renamed.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_PermanentEventAfterFix_IsHandled()
    {
        var published = await Client.PublishAsync("{\"orderId\":\"o-2\",\"fail\":\"permanent\"}");
        await Poll.UntilAsync(() => Client.DeadLettersAsync(published), d => d.Count > 0, "the event dead-lettered");

        // Still broken: the replayed record fails again and is dead-lettered a second time.
        var broken = await Client.PostJsonAsync($"/dlq/events/replay?{published.Only}");
        Assert.Equal(1, broken.GetProperty("replayed").GetInt32());
        var newOffset = Assert.Single(broken.GetProperty("records").EnumerateArray()).GetProperty("targetOffset").GetInt64();
        var second = published with { Offset = newOffset };
        await Poll.UntilAsync(() => Client.DeadLettersAsync(second), d => d.Count > 0, "the replayed event dead-lettered again");
        Assert.Empty(await Client.HandledAsync(published.EventId));

        var fixedStatus = await Client.PostJsonAsync("/pipeline/fix");
        try
        {
            Assert.False(fixedStatus.GetProperty("permanentFailuresHonoured").GetBoolean());
            var replay = await Client.PostJsonAsync($"/dlq/events/replay?{second.Only}");
            Assert.Equal(1, replay.GetProperty("replayed").GetInt32());

            var handled = Assert.Single(await Poll.UntilAsync(() => Client.HandledAsync(published.EventId), h => h.Count > 0, "the event handled after the fix"));
            Assert.Equal("o-2", handled.GetProperty("event").GetProperty("orderId").GetString());
        }
        finally
        {
            Assert.True((await Client.PostJsonAsync("/pipeline/break")).GetProperty("permanentFailuresHonoured").GetBoolean());
        }
    }

    [Fact]
    public async Task ListDeadLetters_ExceptionTypeFilter_ListsOnlyThatType()
    {
        var published = await Client.PublishAsync("{\"fail\":\"permanent\"}");
        await Poll.UntilAsync(() => Client.DeadLettersAsync(published), d => d.Count > 0, "the event dead-lettered");

        var permanent = await Client.GetJsonAsync($"/dlq/events?exceptionType=PermanentFailureException&{published.Only}");
        var timeouts = await Client.GetJsonAsync($"/dlq/events?exceptionType=TimeoutException&{published.Only}");

        Assert.Single(permanent.GetProperty("records").EnumerateArray());
        Assert.Empty(timeouts.GetProperty("records").EnumerateArray());
        Assert.Equal("events.dlq", permanent.GetProperty("deadLetterTopic").GetString());
    }

    [Fact]
    public async Task ListDeadLetters_TopicWithoutDeadLetterTopic_Returns404()
    {
        var problem = await Client.GetJsonAsync("/dlq/orders", HttpStatusCode.NotFound);

        Assert.Contains("orders.dlq", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_NegativeMaxRecords_Returns400()
    {
        var problem = await Client.PostJsonAsync("/dlq/events/replay?maxRecords=-1", HttpStatusCode.BadRequest);

        Assert.Contains("MaxRecords", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

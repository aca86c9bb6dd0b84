using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Publishing;
using Samsa.TestUtils;
using Samsa.Tests.Consuming;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Diagnostics;

/// <summary>Publish and consume spans over real TCP: names, one trace through Kafka headers, retries, retry topics, dead letters.</summary>
public sealed class SamsaActivitySourceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Process_DefaultParent_ChildOfSendWithLinkBaggageAndHandlerPublishContinuesTrace()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("trace");
        var downstream = topic + "-out";
        using var spans = new SpanCollector(topic);
        var handler = new RecordingHandler();
        string? seenBaggage = null;
        using var host = BuildHost(broker, topic, "trace-group", handler, partitions: 1, more: samsa => samsa.AddPublisher().AddTopic(downstream, t => t.Partitions = 1));
        handler.Behavior = async (e, context, token) =>
        {
            seenBaggage = Activity.Current?.GetBaggageItem("tenant");
            await host.Services.GetRequiredService<IEventPublisher>().PublishRawAsync(Json(e), new PublishOptions { Topic = downstream }, token);
        };
        await host.StartAsync(Token);
        await host.Worker(topic, "trace-group").WaitForAssignmentAsync(1);

        using (var root = new Activity("test-request").AddBaggage("tenant", "acme").Start())
        {
            await host.Services.GetRequiredService<IEventPublisher>().PublishRawAsync(Json(new TestEvent(1)), new PublishOptions { Topic = topic }, Token);
        }

        await Poll.UntilAsync(() => spans.Named("send " + downstream).Count == 1, "the handler's publish span");
        await host.StopAsync(Token);

        var send = Assert.Single(spans.Named("send " + topic));
        var process = Assert.Single(spans.Named("process " + topic));
        var inner = Assert.Single(spans.Named("send " + downstream));
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal("kafka", send.GetTagItem("messaging.system"));
        Assert.Equal(topic, send.GetTagItem("messaging.destination.name"));
        Assert.Equal("0", send.GetTagItem("messaging.destination.partition.id"));
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(send.TraceId, process.TraceId);
        Assert.Equal(send.SpanId, process.ParentSpanId);
        Assert.Contains(process.Links, link => link.Context.SpanId == send.SpanId && link.Context.TraceId == send.TraceId);
        Assert.Equal("trace-group", process.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal(1, process.GetTagItem(SamsaActivitySource.AttemptTag));
        Assert.Equal("acme", seenBaggage);
        Assert.Equal(process.TraceId, inner.TraceId);
        Assert.Equal(process.SpanId, inner.ParentSpanId);
    }

    [Fact]
    public async Task Process_LinkParent_NewTraceLinkedToSend()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("tlink");
        using var spans = new SpanCollector(topic);
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, topic, "link-group", handler, partitions: 1,
            configure: options => options.ProcessSpanParent = ProcessSpanParent.Link, more: samsa => samsa.AddPublisher());
        await host.StartAsync(Token);
        await host.Worker(topic, "link-group").WaitForAssignmentAsync(1);

        await host.Services.GetRequiredService<IEventPublisher>().PublishRawAsync(Json(new TestEvent(1)), new PublishOptions { Topic = topic }, Token);
        await Poll.UntilAsync(() => spans.Named("process " + topic).Count == 1, "the process span");
        await host.StopAsync(Token);

        var send = Assert.Single(spans.Named("send " + topic));
        var process = Assert.Single(spans.Named("process " + topic));
        Assert.NotEqual(send.TraceId, process.TraceId);
        Assert.Contains(process.Links, link => link.Context.SpanId == send.SpanId && link.Context.TraceId == send.TraceId);
    }

    [Fact]
    public async Task Process_RetriedInPlaceThenRetryTopicThenDeadLetter_OneTraceWithAttemptsAndHops()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("tretry");
        using var spans = new SpanCollector(topic);
        var handler = new RecordingHandler { Behavior = (e, _, _) => throw new TimeoutException("always") };
        using var host = BuildHost(broker, topic, "retry-group", handler, partitions: 1, configure: options =>
        {
            options.Retry.MaxAttempts = 2;
            options.Retry.RetryTopicDelays = [TimeSpan.FromMilliseconds(10)];
        }, more: samsa => samsa.AddPublisher());
        await host.StartAsync(Token);
        await host.Worker(topic, "retry-group").WaitForAssignmentAsync(2);

        await host.Services.GetRequiredService<IEventPublisher>().PublishRawAsync(Json(new TestEvent(1)), new PublishOptions { Topic = topic }, Token);
        var retryTopic = Samsa.Consuming.Retry.RetryTopicNames.Retry(topic, 1);
        await Poll.UntilAsync(() => spans.Named("process " + retryTopic).Count == 1, "the retry topic's process span");
        var deadLetter = Assert.Single(ReadAll(broker, topic + ".dlq", 1, partitions: 1));
        await host.StopAsync(Token);

        var send = Assert.Single(spans.Named("send " + topic));
        var first = Assert.Single(spans.Named("process " + topic));
        var hop = Assert.Single(spans.Named("process " + retryTopic));
        Assert.Equal(send.SpanId, first.ParentSpanId);
        Assert.Equal(2, first.GetTagItem(SamsaActivitySource.AttemptTag));
        Assert.Equal(2, first.Events.Count(e => e.Name == "exception"));
        Assert.Equal(retryTopic, first.GetTagItem(SamsaActivitySource.ForwardedToTag));
        Assert.Equal(send.TraceId, hop.TraceId);
        Assert.Equal(first.SpanId, hop.ParentSpanId);
        Assert.Equal(1, hop.GetTagItem(SamsaInstruments.Attributes.RetryLevel));
        Assert.Equal("retries-exhausted", hop.GetTagItem(SamsaInstruments.Attributes.DeadLetterReason));
        Assert.Equal(ActivityStatusCode.Error, hop.Status);

        // The dead letter carries the context of the span that dead-lettered it.
        Assert.True(ActivityContext.TryParse(Header(deadLetter, "traceparent"), null, out var carried));
        Assert.Equal(hop.TraceId, carried.TraceId);
        Assert.Equal(hop.SpanId, carried.SpanId);
    }

    [Fact]
    public async Task Process_ReplayedDeadLetter_LinksToTheTraceItWasDeadLetteredIn()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("treplay");
        using var spans = new SpanCollector(topic);
        var repaired = 0;
        var handler = new RecordingHandler
        {
            Behavior = (e, _, _) => Volatile.Read(ref repaired) == 0 ? throw new Samsa.Consuming.Retry.PermanentFailureException("not yet") : ValueTask.CompletedTask,
        };
        using var host = BuildHost(broker, topic, "replay-group", handler, partitions: 1, more: samsa => samsa.AddPublisher());
        await host.StartAsync(Token);
        await host.Worker(topic, "replay-group").WaitForAssignmentAsync(1);

        await host.Services.GetRequiredService<IEventPublisher>().PublishRawAsync(Json(new TestEvent(1)), new PublishOptions { Topic = topic }, Token);
        var deadLetter = Assert.Single(ReadAll(broker, topic + ".dlq", 1, partitions: 1));
        Volatile.Write(ref repaired, 1);
        var result = await host.Services.GetRequiredService<Samsa.Consuming.DeadLetter.DeadLetterReplayer>()
            .ReplayAsync(new Samsa.Consuming.DeadLetter.ReplayOptions { DeadLetterTopic = topic + ".dlq" }, Token);
        Assert.Equal(1, result.Replayed);
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(1), "the replayed record handled");
        await Poll.UntilAsync(() => spans.Named("process " + topic).Count == 2, "the replayed record's process span");
        await host.StopAsync(Token);

        // Two sends: the original publish, and the replay's produce back onto the topic.
        var sends = spans.Named("send " + topic);
        Assert.Equal(2, sends.Count);
        var processes = spans.Named("process " + topic);
        var send = sends.MinBy(s => s.StartTimeUtc)!;
        var first = Assert.Single(processes, p => p.ParentSpanId == send.SpanId);
        var replayed = Assert.Single(processes, p => p != first);
        Assert.True(ActivityContext.TryParse(Header(deadLetter, "traceparent"), null, out var deadLettered));
        Assert.Equal(first.SpanId, deadLettered.SpanId);

        // The replay is new work (no parent in the original trace); the link leads back to where it failed.
        Assert.NotEqual(send.TraceId, replayed.TraceId);
        var link = Assert.Single(replayed.Links, l => l.Tags?.Any(t => t.Key == "samsa.link" && (string?)t.Value == "original") == true);
        Assert.Equal((send.TraceId, first.SpanId), (link.Context.TraceId, link.Context.SpanId));
    }

    /// <summary>Collects stopped Samsa spans whose name mentions <c>topic</c> (tests run in parallel, each with its own topics).</summary>
    private sealed class SpanCollector : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public SpanCollector(string topic)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == SamsaNames.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (activity.OperationName.Contains(topic, StringComparison.Ordinal))
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Activity> Named(string name) => [.. _stopped.Where(a => a.OperationName == name)];

        public void Dispose() => _listener.Dispose();
    }
}

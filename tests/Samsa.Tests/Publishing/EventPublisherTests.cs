using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Samsa.Diagnostics;
using Samsa.Publishing;
using Samsa.TestUtils;
using static Samsa.Tests.Publishing.PublishingTestSupport;

namespace Samsa.Tests.Publishing;

public sealed class EventPublisherTests
{
    [Fact]
    public async Task PublishAsync_TypedEvent_ConsumerReadsValueKeyAndAllStandardHeaders()
    {
        await using var broker = await StartBrokerAsync("orders");
        await using var publisher = CreatePublisher(broker);
        var order = new OrderPlaced("o-17", 42.5m, "Gregor");

        var result = await publisher.PublishAsync(order, new PublishOptions { Key = "customer-9", CorrelationId = "corr-123" });

        Assert.Equal("orders", result.Topic);
        Assert.Equal(PublishStatus.Persisted, result.Status);
        Assert.True(result.Offset >= 0);
        using var consumer = CreateConsumer(broker, "orders");
        var record = Assert.Single(consumer.ConsumeMany(1, Wait));
        Assert.Equal(result.Partition, record.Partition.Value);
        Assert.Equal(result.Offset, record.Offset.Value);
        Assert.Equal("customer-9", record.Message.Key);
        Assert.Equal(order, JsonSerializer.Deserialize<OrderPlaced>(record.Message.Value, JsonSerializerOptions.Web));
        Assert.Contains("\"orderId\":\"o-17\"", record.Message.Value, StringComparison.Ordinal);
        Assert.Equal(result.EventId.ToString("D"), Header(record, SamsaHeaders.EventId));
        Assert.Equal(7, result.EventId.Version);
        Assert.Equal(typeof(OrderPlaced).FullName, Header(record, SamsaHeaders.EventType));
        Assert.Equal("corr-123", Header(record, SamsaHeaders.CorrelationId));
        Assert.Equal("application/json", Header(record, SamsaHeaders.ContentType));
        var stamped = DateTimeOffset.ParseExact(Header(record, SamsaHeaders.Timestamp), "O", CultureInfo.InvariantCulture);
        Assert.Equal(stamped.ToUnixTimeMilliseconds(), record.Message.Timestamp.UnixTimestampMs);
        Assert.Equal(result.Timestamp.ToUnixTimeMilliseconds(), record.Message.Timestamp.UnixTimestampMs);
    }

    [Fact]
    public async Task PublishAsync_ManyConcurrentEvents_EachGetsItsOwnHeadersAndOffset()
    {
        await using var broker = await StartBrokerAsync("orders");
        await using var publisher = CreatePublisher(broker);

        var tasks = Enumerable.Range(0, 500)
            .Select(i => Task.Run(async () => await publisher.PublishAsync(new OrderPlaced($"o-{i}", i, "c"), new PublishOptions { Key = $"k-{i % 7}", CorrelationId = $"c-{i}" })))
            .ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.Equal(500, results.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        Assert.Equal(500, results.Select(r => r.EventId).Distinct().Count());
        using var consumer = CreateConsumer(broker, "orders");
        var records = consumer.ConsumeMany(500, Wait);
        Assert.Equal(500, records.Count);
        foreach (var record in records)
        {
            var order = JsonSerializer.Deserialize<OrderPlaced>(record.Message.Value, JsonSerializerOptions.Web)!;
            Assert.Equal("c-" + order.OrderId[2..], Header(record, SamsaHeaders.CorrelationId));
            var expected = results.Single(r => r.Partition == record.Partition.Value && r.Offset == record.Offset.Value);
            Assert.Equal(expected.EventId.ToString("D"), Header(record, SamsaHeaders.EventId));
        }
    }

    [Fact]
    public async Task PublishAsync_AttributeEventTypeAndExtraHeaders_WritesThemAfterTheStandardOnes()
    {
        await using var broker = await StartBrokerAsync("shipments");
        await using var publisher = CreatePublisher(broker);
        var extra = new Headers { { "tenant", Encoding.UTF8.GetBytes("acme") } };

        await publisher.PublishAsync(new ShipmentDispatched("s-1", 3), new PublishOptions { Headers = extra });

        using var consumer = CreateConsumer(broker, "shipments");
        var record = Assert.Single(consumer.ConsumeMany(1, Wait));
        Assert.Equal("shipment-dispatched", Header(record, SamsaHeaders.EventType));
        Assert.Equal("acme", Header(record, "tenant"));
        Assert.False(record.Message.Headers.TryGetLastBytes(SamsaHeaders.CorrelationId, out _));
        Assert.Null(record.Message.Key);
    }

    [Fact]
    public async Task PublishAsync_SourceGeneratedContext_UsesTheContextsNamingPolicy()
    {
        await using var broker = await StartBrokerAsync("orders");
        await using var publisher = CreatePublisher(broker, o => o.Serializer = new SystemTextJsonEventSerializer(PublishingJsonContext.Default));

        await publisher.PublishAsync(new OrderPlaced("o-1", 1m, "Grete"));

        using var consumer = CreateConsumer(broker, "orders");
        var record = Assert.Single(consumer.ConsumeMany(1, Wait));
        Assert.Equal("{\"order_id\":\"o-1\",\"total\":1,\"customer_name\":\"Grete\"}", record.Message.Value);
    }

    [Fact]
    public async Task PublishAsync_TypeUnknownToSourceGeneratedContext_ThrowsPublishExceptionWithoutProducing()
    {
        await using var broker = await StartBrokerAsync("shipments");
        await using var publisher = CreatePublisher(broker, o => o.Serializer = new SystemTextJsonEventSerializer(PublishingJsonContext.Default));

        var error = await Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(new ShipmentDispatched("s", 1)));

        Assert.Equal(ErrorCode.Local_ValueSerialization, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Equal(1, publisher.Errors.GetSnapshot().FailuresByCode[ErrorCode.Local_ValueSerialization]);
    }

    [Fact]
    public async Task PublishAsync_CustomSerializer_WritesItsBytesAndContentType()
    {
        await using var broker = await StartBrokerAsync("orders");
        await using var publisher = CreatePublisher(broker, o => o.Serializer = new PipeSerializer());

        await publisher.PublishAsync(new OrderPlaced("o-5", 5m, "Ottla"));

        using var consumer = CreateConsumer(broker, "orders");
        var record = Assert.Single(consumer.ConsumeMany(1, Wait));
        Assert.Equal("o-5|5|Ottla", record.Message.Value);
        Assert.Equal("text/x-pipe", Header(record, SamsaHeaders.ContentType));
    }

    [Fact]
    public async Task PublishAsync_TopicFromMapAndConvention_RoutesByTypeAndExplicitTopicWins()
    {
        await using var broker = await StartBrokerAsync("mapped", "unrouted", "explicit");
        await using var publisher = CreatePublisher(broker, o =>
        {
            o.MapTopic<OrderPlaced>("mapped");
            o.TopicNamingConvention = TopicNamingConventions.KebabCase;
        });

        var mapped = await publisher.PublishAsync(new OrderPlaced("o", 1m, "c"));
        var convention = await publisher.PublishAsync(new Unrouted(1));
        var explicitTopic = await publisher.PublishAsync(new Unrouted(2), new PublishOptions { Topic = "explicit" });

        Assert.Equal("mapped", mapped.Topic);
        Assert.Equal("unrouted", convention.Topic);
        Assert.Equal("explicit", explicitTopic.Topic);
    }

    [Fact]
    public async Task PublishAsync_NoTopicForType_ThrowsPublishExceptionNamingTheWaysToSetOne()
    {
        await using var publisher = CreatePublisher("127.0.0.1:1");

        var error = await Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(new Unrouted(1)));

        Assert.Contains("KafkaTopic", error.Message, StringComparison.Ordinal);
        Assert.Contains("MapTopic<Unrouted>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishRawAsync_JsonPayload_PublishesBytesAsIsWithGivenContentTypeAndEventType()
    {
        await using var broker = await StartBrokerAsync("raw");
        await using var publisher = CreatePublisher(broker);
        var payload = "{ \"kept\" : [1, 2] }"u8.ToArray();

        var result = await publisher.PublishRawAsync(payload, new PublishOptions { Topic = "raw", Key = "k", EventType = "raw-thing", ContentType = "application/vnd.samsa+json" });

        using var consumer = CreateConsumer(broker, "raw");
        var record = Assert.Single(consumer.ConsumeMany(1, Wait));
        Assert.Equal(result.Offset, record.Offset.Value);
        Assert.Equal("{ \"kept\" : [1, 2] }", record.Message.Value);
        Assert.Equal("raw-thing", Header(record, SamsaHeaders.EventType));
        Assert.Equal("application/vnd.samsa+json", Header(record, SamsaHeaders.ContentType));
        Assert.Equal(result.EventId.ToString("D"), Header(record, SamsaHeaders.EventId));
    }

    [Fact]
    public async Task PublishAsync_MessageLargerThanTopicMaxMessageBytes_ThrowsPublishExceptionAndCountsErrorCode()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.SeedTopics["orders"] = 1;
            o.TopicConfigDefaults["max.message.bytes"] = "2000";
        });
        var tracker = new ProducerErrorTracker(TimeProvider.System, TimeSpan.FromMinutes(5));
        await using var publisher = CreatePublisher(broker, tracker: tracker);
        var huge = new OrderPlaced("o-big", 1m, new string('x', 10_000));

        var error = await Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(huge));

        Assert.Equal(ErrorCode.MsgSizeTooLarge, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Equal("orders", error.Topic);
        Assert.NotNull(error.EventId);
        var snapshot = tracker.GetSnapshot();
        Assert.Equal(1, snapshot.FailuresByCode[ErrorCode.MsgSizeTooLarge]);
        Assert.Equal(1, snapshot.RecentFailures);
        Assert.Equal(ErrorCode.MsgSizeTooLarge, snapshot.LastFailure!.Code);

        var small = await publisher.PublishAsync(new OrderPlaced("o-small", 1m, "c"));
        Assert.Equal(PublishStatus.Persisted, small.Status);
        Assert.Equal(1, tracker.GetSnapshot().Delivered);
    }

    [Fact]
    public async Task PublishAsync_TopicMissingAndAutoCreateOff_ThrowsPublishExceptionWithUnknownTopic()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.AutoCreateTopics = false);
        await using var publisher = CreatePublisher(broker, producer: c => c.Set("topic.metadata.propagation.max.ms", "500"));

        var error = await Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(new OrderPlaced("o", 1m, "c")));

        Assert.Contains(error.ErrorCode, new[] { ErrorCode.Local_UnknownTopic, ErrorCode.UnknownTopicOrPart });
        Assert.Equal(1, publisher.Errors.GetSnapshot().FailuresByCode[error.ErrorCode]);
    }

    [Fact]
    public async Task DisposeAsync_QueuedFireAndForgetMessages_DeliversThemBeforeClosing()
    {
        await using var broker = await StartBrokerAsync("orders");
        var publisher = CreatePublisher(broker, producer: c => c.LingerMs = 200);
        var callbacks = new CallbackCounter(1000);

        for (var i = 0; i < 1000; i++)
        {
            publisher.Publish(new OrderPlaced($"o-{i}", i, "c"), onCompleted: static (result, error, state) =>
                ((CallbackCounter)state!).Record(error is null && result.Offset >= 0), state: callbacks);
        }

        Assert.True(publisher.QueuedMessages > 0);
        await publisher.DisposeAsync();

        Assert.Equal(1000, publisher.Errors.GetSnapshot().Delivered);
        Assert.Equal(1000, await callbacks.AllDone.WaitAsync(Wait));
        using var consumer = CreateConsumer(broker, "orders");
        Assert.Equal(1000, consumer.ConsumeMany(1000, Wait).Count);
    }

    [Fact]
    public async Task DisposeAsync_BrokerUnreachable_FailsWaitingPublishesAfterFlushTimeout()
    {
        var publisher = CreatePublisher("127.0.0.1:1", o => o.FlushTimeout = TimeSpan.FromMilliseconds(300));
        var pending = publisher.PublishAsync(new OrderPlaced("o", 1m, "c"), new PublishOptions { Topic = "nowhere" }).AsTask();

        await publisher.DisposeAsync();

        var error = await Assert.ThrowsAsync<PublishException>(() => pending.WaitAsync(Wait));
        Assert.Equal(ErrorCode.Local_Destroy, error.ErrorCode);
        Assert.Equal(PublishStatus.PossiblyPersisted, error.Status);
        Assert.Equal(1, publisher.Errors.GetSnapshot().FailuresByCode[ErrorCode.Local_Destroy]);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await publisher.PublishAsync(new OrderPlaced("o", 1m, "c")));
    }

    [Fact]
    public async Task PublishAsync_AwaitedBeforeAndAfterDelivery_ContinuationsRunOnThreadPoolNotPollThread()
    {
        await using var broker = await StartBrokerAsync("orders");
        await using var publisher = CreatePublisher(broker, producer: c => c.LingerMs = 50);

        // Awaited while still in flight: the continuation is registered before the delivery report completes it.
        var inFlight = publisher.PublishAsync(new OrderPlaced("o1", 1m, "c"));
        Assert.False(inFlight.IsCompleted);
        var (first, firstOnThreadPool) = await AwaitWithoutContext(inFlight);
        Assert.True(firstOnThreadPool);

        // Awaited only after delivery: the result is already there.
        var delivered = publisher.PublishAsync(new OrderPlaced("o2", 2m, "c"));
        Assert.True(SpinWait.SpinUntil(() => delivered.IsCompleted, Wait));
        var (second, _) = await AwaitWithoutContext(delivered);

        Assert.Equal(PublishStatus.Persisted, first.Status);
        Assert.Equal(PublishStatus.Persisted, second.Status);
        Assert.Equal(2, publisher.Errors.GetSnapshot().Delivered);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Publish_Callback_RunsOnThreadPoolUnlessSetToRunOnTheDeliveryThread(bool onDeliveryThread, bool expectThreadPool)
    {
        await using var broker = await StartBrokerAsync("orders");
        await using var publisher = CreatePublisher(broker, o => o.RunCallbacksOnDeliveryThread = onDeliveryThread);
        var ran = new TaskCompletionSource<(bool Delivered, bool OnThreadPool)>(TaskCreationOptions.RunContinuationsAsynchronously);

        publisher.Publish(new OrderPlaced("o", 1m, "c"), onCompleted: (result, error, _) =>
            ran.TrySetResult((error is null && result.Offset >= 0, Thread.CurrentThread.IsThreadPoolThread)));

        var (delivered, onThreadPool) = await ran.Task.WaitAsync(Wait);
        Assert.True(delivered);
        Assert.Equal(expectThreadPool, onThreadPool);
    }

    /// <summary>Awaits outside the test framework's synchronization context; says whether the continuation ran on the thread pool.</summary>
    private static async Task<(PublishResult Result, bool OnThreadPool)> AwaitWithoutContext(ValueTask<PublishResult> pending)
    {
        var result = await pending.ConfigureAwait(false);
        return (result, Thread.CurrentThread.IsThreadPoolThread);
    }

    [Fact]
    public async Task PublishAsync_TokenCanceledWhileWaiting_ThrowsOperationCanceledAndLaterDeliveryIsStillCounted()
    {
        await using var broker = await StartBrokerAsync("orders");
        await using var publisher = CreatePublisher(broker, producer: c => c.LingerMs = 500);
        using var cancellation = new CancellationTokenSource();

        var pending = publisher.PublishAsync(new OrderPlaced("o", 1m, "c"), cancellationToken: cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        await publisher.FlushAsync();
        Assert.Equal(1, publisher.Errors.GetSnapshot().Delivered);
        var next = await publisher.PublishAsync(new OrderPlaced("o2", 2m, "c"));
        Assert.Equal(PublishStatus.Persisted, next.Status);
    }

    [Fact]
    public async Task PublishAsync_WithMeterListener_RecordsMessagesAndErrorsByCode()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.SeedTopics["orders"] = 1;
            o.TopicConfigDefaults["max.message.bytes"] = "2000";
        });
        using var metrics = new SamsaMetrics(null);
        var recorded = new List<(string Name, long Value, string? ErrorType)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SamsaNames.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? errorType = null;
            foreach (var tag in tags)
            {
                if (tag.Key == SamsaInstruments.Attributes.ErrorType)
                {
                    errorType = (string?)tag.Value;
                }
            }

            lock (recorded)
            {
                recorded.Add((instrument.Name, value, errorType));
            }
        });
        listener.Start();
        await using var publisher = CreatePublisher(broker, metrics: metrics);

        await publisher.PublishAsync(new OrderPlaced("o", 1m, "c"));
        await Assert.ThrowsAsync<PublishException>(async () => await publisher.PublishAsync(new OrderPlaced("o", 1m, new string('x', 5000))));
        listener.RecordObservableInstruments();

        // The sent-messages counter is observable: its running totals are read at collection.
        lock (recorded)
        {
            Assert.Contains((SamsaInstruments.SentMessages, 1L, (string?)null), recorded);
            Assert.Contains((SamsaInstruments.SentMessages, 1L, (string?)nameof(ErrorCode.MsgSizeTooLarge)), recorded);
        }
    }

    private sealed class CallbackCounter(int expected)
    {
        private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;
        private int _succeeded;

        public Task<int> AllDone => _done.Task;

        public void Record(bool succeeded)
        {
            if (succeeded)
            {
                Interlocked.Increment(ref _succeeded);
            }

            if (Interlocked.Increment(ref _calls) == expected)
            {
                _done.TrySetResult(Volatile.Read(ref _succeeded));
            }
        }
    }

    private sealed class PipeSerializer : IEventSerializer
    {
        public string ContentType => "text/x-pipe";

        public void Serialize<TEvent>(TEvent @event, System.Buffers.IBufferWriter<byte> destination)
        {
            var order = (OrderPlaced)(object)@event!;
            var text = string.Create(CultureInfo.InvariantCulture, $"{order.OrderId}|{order.Total}|{order.CustomerName}");
            var span = destination.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
            destination.Advance(Encoding.UTF8.GetBytes(text, span));
        }
    }
}

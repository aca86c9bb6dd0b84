using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Samsa.Diagnostics;
using Samsa.Publishing;
using Samsa.TestUtils;
using Samsa.Tests.Consuming;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Diagnostics;

/// <summary><see cref="ClientStatisticsMetrics"/>: librdkafka's statistics as metrics, only when <c>StatisticsIntervalMs</c> turns them on.</summary>
public sealed class ClientStatisticsMetricsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publisher_StatisticsOn_ReportsRoundTripAndQueuesOfTheBrokerItTalksTo()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("stats");
        using var host = SamsaTestHost.Build(
            broker.BootstrapServers,
            samsa => samsa.AddTopic(topic, t => t.Partitions = 1).AddPublisher(),
            configuration: [("Kafka:StatisticsIntervalMs", "100")]);
        using var recorder = new ClientMeasurements(host.Services.GetService<IMeterFactory>());

        await host.StartAsync(Token);
        await host.Services.GetRequiredService<IEventPublisher>().PublishRawAsync(Json(new TestEvent(1)), new PublishOptions { Topic = topic }, Token);
        await Poll.UntilAsync(
            () =>
            {
                recorder.Collect();
                return recorder.Tags(SamsaInstruments.BrokerRoundTrip).Any(t => t.ContainsKey(SamsaInstruments.Attributes.BrokerId));
            },
            "a round-trip reading of a learned broker");
        await host.StopAsync(Token);

        var port = int.Parse(broker.BootstrapServers.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
        var brokerTags = recorder.Tags(SamsaInstruments.BrokerRoundTrip).First(t => t.ContainsKey(SamsaInstruments.Attributes.BrokerId));
        Assert.Equal(port, brokerTags[SamsaInstruments.Attributes.ServerPort]);
        Assert.Equal("producer", brokerTags[SamsaInstruments.Attributes.ClientType]);
        Assert.NotEmpty(recorder.Tags(SamsaInstruments.BrokerRequestsInFlight));
        Assert.Contains(recorder.Tags(SamsaInstruments.BrokerErrors), t => (string?)t[SamsaInstruments.Attributes.ClientErrorKind] == "request_timeout");
        Assert.Contains(recorder.Tags(SamsaInstruments.ProducerQueuedMessages), t => (string?)t[SamsaInstruments.Attributes.ClientType] == "producer");
    }

    [Fact]
    public async Task Publisher_StatisticsOff_ReportsNothing()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("nostats");
        using var host = SamsaTestHost.Build(broker.BootstrapServers, samsa => samsa.AddTopic(topic, t => t.Partitions = 1).AddPublisher());
        using var recorder = new ClientMeasurements(host.Services.GetService<IMeterFactory>());

        await host.StartAsync(Token);
        // A publish that Kafka acknowledged means the producer has talked to the broker for a while.
        await host.Services.GetRequiredService<IEventPublisher>().PublishRawAsync(Json(new TestEvent(1)), new PublishOptions { Topic = topic }, Token);
        recorder.Collect();
        await host.StopAsync(Token);

        Assert.True(recorder.SawInstruments, "the client statistics instruments are published on the meter");
        Assert.Empty(recorder.Tags(SamsaInstruments.BrokerRoundTrip));
        Assert.Empty(recorder.Tags(SamsaInstruments.ProducerQueuedMessages));
    }

    [Fact]
    public void Record_ConsumerReading_CountsAssignedPartitionsByFetchStateAndDropsItWhenStale()
    {
        var time = new FakeTimeProvider();
        using var metrics = new ClientStatisticsMetrics(null, time);
        using var recorder = new ClientMeasurements(null);
        const string Json = """
            {"name":"rdkafka#consumer-3","type":"consumer","msg_cnt":0,
             "brokers":{"localhost:9092/bootstrap":{"nodeid":-1,"nodename":"localhost:9092","rtt":{"avg":0},"outbuf_cnt":0,"waitresp_cnt":0,"txerrs":0,"rxerrs":0,"req_timeouts":0},
                        "localhost:9092/1":{"nodeid":1,"nodename":"localhost:9092","rtt":{"avg":2500},"outbuf_cnt":1,"waitresp_cnt":2,"txerrs":3,"rxerrs":4,"req_timeouts":5}},
             "topics":{"orders":{"partitions":{"0":{"partition":0,"fetch_state":"active"},"1":{"partition":1,"fetch_state":"active"},
                                              "2":{"partition":2,"fetch_state":"offset-query"},"3":{"partition":3,"fetch_state":"none"},"-1":{"partition":-1,"fetch_state":"none"}}}}}
            """;

        metrics.Record(Json, TimeSpan.FromSeconds(5));
        metrics.Record("not json", TimeSpan.FromSeconds(5));
        recorder.Collect();

        var partitions = recorder.Values(SamsaInstruments.ConsumerPartitions);
        Assert.Equal(2, partitions.Single(m => (string?)m.Tags[SamsaInstruments.Attributes.FetchState] == "active").Value);
        Assert.Equal(1, partitions.Single(m => (string?)m.Tags[SamsaInstruments.Attributes.FetchState] == "offset-query").Value);
        Assert.Equal(2, partitions.Count);
        Assert.Equal(0.0025, recorder.Values(SamsaInstruments.BrokerRoundTrip).Single().Value);
        Assert.Equal(5, recorder.Values(SamsaInstruments.BrokerErrors).Single(m => (string?)m.Tags[SamsaInstruments.Attributes.ClientErrorKind] == "request_timeout").Value);
        Assert.Empty(recorder.Values(SamsaInstruments.ProducerQueuedMessages));

        time.Advance(TimeSpan.FromSeconds(16));
        recorder.Clear();
        recorder.Collect();
        Assert.Empty(recorder.Values(SamsaInstruments.ConsumerPartitions));
        Assert.Empty(recorder.Values(SamsaInstruments.BrokerRoundTrip));
    }

    /// <summary>Listens to the client statistics instruments of one meter scope (null: meters of no factory).</summary>
    private sealed class ClientMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)> _seen = new();

        public ClientMeasurements(object? scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SamsaNames.MeterName && ReferenceEquals(instrument.Meter.Scope, scope)
                    && instrument.Name.StartsWith("samsa.client.", StringComparison.Ordinal))
                {
                    SawInstruments = true;
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public bool SawInstruments { get; private set; }

        public void Collect() => _listener.RecordObservableInstruments();

        public void Clear() => _seen.Clear();

        public List<Dictionary<string, object?>> Tags(string instrument) => [.. _seen.Where(m => m.Name == instrument).Select(m => m.Tags)];

        public List<(double Value, Dictionary<string, object?> Tags)> Values(string instrument) =>
            [.. _seen.Where(m => m.Name == instrument).Select(m => (m.Value, m.Tags))];

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _seen.Enqueue((instrument.Name, value, copy));
        }
    }
}

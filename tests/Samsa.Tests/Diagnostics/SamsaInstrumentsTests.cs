using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.Diagnostics;
using Samsa.Publishing;
using Samsa.TestUtils;
using Samsa.Tests.Consuming;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Diagnostics;

/// <summary><see cref="SamsaInstruments.All"/> against what a publisher and a consumer emit over real TCP.</summary>
public sealed class SamsaInstrumentsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task All_PublishAndConsumeEveryPath_ListMatchesEmittedNamesUnitsKindsAndAttributes()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("inst");
        var handler = new RecordingHandler();
        using var host = SamsaTestHost.Build(
            broker.BootstrapServers,
            samsa =>
            {
                samsa.Services.AddSingleton(handler);
                samsa.AddTopic(topic, t => t.Partitions = 1)
                    .AddConsumer<RecordingHandler, TestEvent>(topic, "inst-group", options =>
                    {
                        Fast(options);
                        options.Retry.MaxAttempts = 1;
                        options.Retry.RetryTopicDelays = [TimeSpan.FromMilliseconds(10)];
                    })
                    .AddPublisher();
            },
            configuration: [("Kafka:Monitoring:Interval", "00:00:00.200"), ("Kafka:StatisticsIntervalMs", "100")]);
        var factory = host.Services.GetService<IMeterFactory>();
        var seen = new ConcurrentDictionary<string, Instrument>(StringComparer.Ordinal);
        var tagKeys = new ConcurrentDictionary<string, ConcurrentDictionary<string, bool>>(StringComparer.Ordinal);
        var errors = new ConcurrentQueue<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SamsaNames.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            seen[instrument.Name] = instrument;
            var keys = tagKeys.GetOrAdd(instrument.Name, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
            foreach (var tag in tags)
            {
                keys[tag.Key] = true;
                if (tag.Value is null)
                {
                    errors.Enqueue($"{instrument.Name}: tag {tag.Key} has no value");
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        await host.StartAsync(Token);
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        await host.Worker(topic, "inst-group").WaitForAssignmentAsync(2);
        await publisher.PublishRawAsync(Json(new TestEvent(1)), new PublishOptions { Topic = topic }, Token);
        await publisher.PublishRawAsync(Json(new TestEvent(2, "transient:1")), new PublishOptions { Topic = topic }, Token);
        await publisher.PublishRawAsync(Json(new TestEvent(3, "permanent")), new PublishOptions { Topic = topic }, Token);
        await Assert.ThrowsAsync<PublishException>(async () =>
            await publisher.PublishRawAsync(Json(new TestEvent(4)), new PublishOptions { Topic = topic, Partition = 7 }, Token));

        await Poll.UntilAsync(
            () =>
            {
                listener.RecordObservableInstruments();
                return SamsaInstruments.All.All(i => seen.ContainsKey(i.Name)) && handler.SuccessCount == 2
                    && tagKeys.TryGetValue(SamsaInstruments.ProcessDuration, out var keys) && keys.ContainsKey(SamsaInstruments.Attributes.ErrorType);
            },
            "every listed instrument emitted: " + string.Join(", ", SamsaInstruments.All.Select(i => i.Name).Where(n => !seen.ContainsKey(n))));
        await host.StopAsync(Token);

        Assert.Empty(errors);
        Assert.Equal(SamsaInstruments.All.Count, SamsaInstruments.All.Select(i => i.Name).Distinct().Count());
        Assert.Equal(SamsaInstruments.All.Select(i => i.Name).Order(), seen.Keys.Order());
        foreach (var listed in SamsaInstruments.All)
        {
            var emitted = seen[listed.Name];
            Assert.Equal(listed.Unit, emitted.Unit);
            Assert.False(string.IsNullOrWhiteSpace(emitted.Description), $"{listed.Name} has no description");
            Assert.Equal(listed.Kind, KindOf(emitted));
            var keys = tagKeys[listed.Name].Keys.ToHashSet(StringComparer.Ordinal);
            Assert.True(keys.IsSubsetOf(listed.Attributes), $"{listed.Name} emitted {string.Join(",", keys)}; listed {string.Join(",", listed.Attributes)}");
            if (listed.Name.StartsWith("messaging.", StringComparison.Ordinal))
            {
                Assert.Contains(SamsaInstruments.Attributes.System, keys);
                Assert.Contains(SamsaInstruments.Attributes.OperationName, keys);
                Assert.Contains(SamsaInstruments.Attributes.DestinationName, keys);
            }
        }

        // The failed publish (no partition 7) and the failed handler call carry error.type.
        Assert.Contains(SamsaInstruments.Attributes.ErrorType, tagKeys[SamsaInstruments.SentMessages].Keys);
        Assert.Contains(SamsaInstruments.Attributes.ConsumerGroup, tagKeys[SamsaInstruments.ConsumedMessages].Keys);
        Assert.Contains(SamsaInstruments.Attributes.PartitionId, tagKeys[SamsaInstruments.ConsumedMessages].Keys);
    }

    private static SamsaInstrumentKind KindOf(Instrument instrument) => instrument switch
    {
        Counter<long> => SamsaInstrumentKind.Counter,
        Histogram<double> => SamsaInstrumentKind.Histogram,
        ObservableGauge<long> or ObservableGauge<double> or ObservableGauge<int> => SamsaInstrumentKind.Gauge,
        ObservableCounter<long> => SamsaInstrumentKind.ObservableCounter,
        _ => throw new Xunit.Sdk.XunitException($"{instrument.Name} is a {instrument.GetType().Name}, which the list has no kind for."),
    };
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Samsa.Consuming;
using Samsa.Diagnostics;
using Samsa.Monitoring;
using Samsa.TestUtils;
using Samsa.Tests.Consuming;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Monitoring;

/// <summary>The lag monitor against the embedded broker: a handler that stops making progress, seen at the brokers.</summary>
public sealed class ConsumerLagMonitorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteAsync_HandlerBlocked_GaugesShowLagTimeLagAndStuckAndHealthNamesThePartition()
    {
        await using var broker = await StartBrokerAsync();
        var topic = Unique("lagmon");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler
        {
            Behavior = async (e, _, token) =>
            {
                if (e.Id > 1)
                {
                    await release.Task.WaitAsync(token);
                }
            },
        };
        using var host = SamsaTestHost.Build(
            broker.BootstrapServers,
            samsa =>
            {
                samsa.Services.AddSingleton(handler);
                samsa.AddTopic(topic, t => t.Partitions = 1).AddConsumer<RecordingHandler, TestEvent>(topic, "lag-group", Fast);
            },
            configuration:
            [
                ("Kafka:Monitoring:Interval", "00:00:00.200"),
                ("Kafka:Monitoring:DegradedLag", "3"),
                ("Kafka:Monitoring:StuckIntervals", "2"),
            ]);
        var factory = host.Services.GetService<IMeterFactory>();
        var gauges = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SamsaNames.MeterName && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name.StartsWith("samsa.consumer_group.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                labels[tag.Key] = tag.Value;
            }

            if (Equals(labels[SamsaInstruments.Attributes.DestinationName], topic) && Equals(labels[SamsaInstruments.Attributes.PartitionId], "0")
                && Equals(labels[SamsaInstruments.Attributes.ConsumerGroup], "lag-group"))
            {
                gauges[instrument.Name] = value;
            }
        }

        listener.Start();
        await host.StartAsync(Token);
        await host.Worker(topic, "lag-group").WaitForAssignmentAsync(1);
        await ProduceAsync(broker, topic, [new TestEvent(1)], partition: 0);
        await Poll.UntilAsync(() => CommittedAsync(broker, "lag-group", topic, 1).GetAwaiter().GetResult()[0] == 1, "offset 1 committed");
        await ProduceAsync(broker, topic, Enumerable.Range(2, 5).Select(i => new TestEvent(i)), partition: 0);
        var monitor = host.Services.GetRequiredService<ConsumerLagMonitor>();

        await Poll.UntilAsync(
            () =>
            {
                listener.RecordObservableInstruments();
                return gauges.TryGetValue(SamsaInstruments.ConsumerGroupStuck, out var stuck) && stuck == 1;
            },
            "the partition reported stuck: " + string.Join(" | ", host.Logs().Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Message + " " + l.Exception)));
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        var report = await checks.CheckHealthAsync(r => r.Name == ConsumerDefaults.HealthCheckName("lag-group", topic), Token);

        Assert.Equal(5, gauges[SamsaInstruments.ConsumerGroupLag]);
        Assert.True(gauges[SamsaInstruments.ConsumerGroupTimeLag] > 0, $"time lag {gauges[SamsaInstruments.ConsumerGroupTimeLag]}");
        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains($"{topic}[0] lag 5 record(s), committed 1, end 6", entry.Description, StringComparison.Ordinal);
        Assert.Contains("(degraded from 3 records)", entry.Description, StringComparison.Ordinal);
        Assert.Equal(5L, entry.Data["brokerLag"]);
        var partition = Assert.Single(monitor.Latest!.PartitionsOf("lag-group", t => t == topic));
        Assert.True(partition.Stuck);
        Assert.NotNull(partition.CommittedRecordTimestamp);

        // Progress again: the lag drains, the partition is no longer stuck and the check is healthy.
        release.SetResult();
        await Poll.UntilAsync(
            () =>
            {
                listener.RecordObservableInstruments();
                return gauges[SamsaInstruments.ConsumerGroupLag] == 0 && gauges[SamsaInstruments.ConsumerGroupStuck] == 0;
            },
            "the lag drained");
        Assert.Equal(0, gauges[SamsaInstruments.ConsumerGroupTimeLag]);
        await host.StopAsync(Token);
    }
}

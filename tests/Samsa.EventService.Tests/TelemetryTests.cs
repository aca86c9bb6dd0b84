using System.Diagnostics;
using System.Net;
using System.Text;
using Samsa.EventService.SamplePipeline;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests;

/// <summary>The service's OpenTelemetry wiring, tried as a user would: publish, scrape <c>/metrics</c>, and receive the trace over OTLP.</summary>
public sealed class TelemetryTests
{
    // Generous: under a loaded CI machine the consumer's first join and a metrics export can take tens of seconds.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // Waited for as a whole: the lag gauges of one topic can appear a reading later than another topic's.
    private static readonly string[] AwaitedSeries =
    [
        "messaging_client_sent_messages_total\\{[^}]*messaging_destination_name=\"events\"",
        "messaging_client_consumed_messages_total\\{[^}]*messaging_consumer_group_name=\"event-service\"",
        "messaging_client_operation_duration_seconds_bucket\\{[^}]*messaging_destination_name=\"events\"",
        "messaging_process_duration_seconds_count\\{[^}]*messaging_destination_name=\"events\"",
        "samsa_consume_lag\\{[^}]*messaging_destination_name=\"events\"",
        "samsa_consumer_group_lag\\{[^}]*messaging_consumer_group_name=\"event-service\"[^}]*messaging_destination_name=\"events\"",
        "samsa_consumer_group_time_lag_seconds\\{[^}]*messaging_destination_name=\"events\"",
        "samsa_consumer_group_stuck\\{[^}]*messaging_destination_name=\"events\"",
    ];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Publish_ScrapeAndOtlp_MetricsWithTopicLabelsAndOneTraceFromSendToProcess()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var receiver = await OtlpTraceReceiver.StartAsync();
        await using var app = new EventServiceApp("Development", new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = broker.BootstrapServers,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["Kafka:Monitoring:Interval"] = "00:00:00.500",
        });
        app.StartServer();
        using var client = app.CreateClient();

        using var published = await client.PostAsync(
            new Uri("/events/" + SamplePipelineExtensions.Topic, UriKind.Relative),
            new StringContent("{\"id\":\"telemetry-1\"}", Encoding.UTF8, "application/json"),
            Token);
        Assert.Equal(HttpStatusCode.Created, published.StatusCode);

        string metrics = string.Empty;
        await Poll.UntilAsync(
            async () =>
            {
                metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), Token);
                return MissingSeries(metrics).Count == 0;
            },
            "the messaging counters and the lag gauges of topic events on /metrics",
            Wait,
            async () => $"missing: {string.Join(", ", MissingSeries(metrics))}; /pipeline: {await ReadAsync(client, "/pipeline")}; /health/ready: {await ReadAsync(client, "/health/ready")}");
        foreach (var series in AwaitedSeries)
        {
            Assert.Matches(series, metrics);
        }

        ReceivedSpan? send = null;
        ReceivedSpan? process = null;
        await Poll.UntilAsync(
            () =>
            {
                send = receiver.Spans.FirstOrDefault(s => s.Name == "send events");
                process = send is null ? null : receiver.Spans.FirstOrDefault(s => s.Name == "process events" && s.TraceId == send.TraceId);
                return Task.FromResult(process is not null);
            },
            "the send and process spans over OTLP in one trace",
            Wait);
        Assert.Equal(send!.SpanId, process!.ParentSpanId);
        Assert.Contains(receiver.Spans, s => s.TraceId == send.TraceId && s.Name.StartsWith("POST", StringComparison.Ordinal));
    }

    private static async Task<string> ReadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), Token);
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}";
    }

    private static List<string> MissingSeries(string metrics) =>
        [.. AwaitedSeries.Where(series => !System.Text.RegularExpressions.Regex.IsMatch(metrics, series))];
}

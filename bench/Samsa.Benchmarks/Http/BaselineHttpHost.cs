using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Publishing;

namespace Samsa.Benchmarks.Http;

/// <summary>
/// "http-baseline-host" mode: the baseline of the http-publish benchmark, a minimal ASP.NET Core endpoint
/// <c>POST /events/{topic}</c> that reads the body and calls Confluent's <c>ProduceAsync</c> itself, then answers 201 with
/// the same JSON shape as Samsa.EventService.
/// </summary>
/// <remarks>
/// Its producer configuration comes from the same binding as the service's publisher (the <c>Kafka</c> section and the
/// <c>KAFKA_*</c> variables through <c>AddSamsaKafkaOptions</c>, then <see cref="KafkaClientConfigFactory"/>, plus the
/// publisher's delivery report fields), started with the same environment, so both resolve to the same librdkafka settings.
/// Each message carries what the service's publisher writes: key from <c>X-Event-Key</c>, the value bytes as sent, CreateTime,
/// and the headers samsa-event-id, samsa-event-type, samsa-timestamp, content-type, samsa-correlation-id and traceparent
/// (the service has a tracer listening, so its publisher injects the span's context). What it leaves out is what the
/// service adds on top: topic name and declared-topic checks, content-type and JSON validation, problem details,
/// OpenTelemetry instrumentation, metrics, the health, console and sample-pipeline machinery.
/// </remarks>
internal static class BaselineHttpHost
{
    private static readonly byte[] JsonContentType = Encoding.UTF8.GetBytes(PublisherDefaults.JsonContentType);

    public static int Run(string[] args)
    {
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        var builder = WebApplication.CreateBuilder(args);

        // The service's appsettings.json logging levels (this executable has no appsettings file).
        builder.Configuration.AddInMemoryCollection(
        [
            new KeyValuePair<string, string?>("Logging:LogLevel:Default", "Information"),
            new KeyValuePair<string, string?>("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
        ]);
        builder.Services.AddSamsaKafkaOptions(builder.Configuration);
        var app = builder.Build();

        var config = KafkaClientConfigFactory.CreateProducerConfig(app.Services.GetRequiredService<IOptions<KafkaOptions>>().Value);
        config.DeliveryReportFields = PublisherDefaults.DeliveryReportFields;
        using var producer = new ProducerBuilder<byte[]?, byte[]>(config).Build();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline producer: {string.Join(", ", config.Where(p => p.Key != "bootstrap.servers").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}; server GC {GCSettings.IsServerGC}"));

        app.MapPost("/events/{topic}", async (string topic, HttpContext context) =>
        {
            var request = context.Request;
            var correlationId = request.Headers["X-Correlation-Id"] is [{ Length: > 0 } given] ? given : context.TraceIdentifier;
            context.Response.Headers["X-Correlation-Id"] = correlationId;
            var body = await ReadBodyAsync(request.BodyReader, context.RequestAborted);
            var key = request.Headers["X-Event-Key"] is [{ Length: > 0 } k] ? Encoding.UTF8.GetBytes(k) : null;
            var eventType = request.Headers["X-Event-Type"] is [{ Length: > 0 } t] ? t : topic;
            var now = TimeProvider.System.GetUtcNow();
            var eventId = Guid.CreateVersion7(now);
            var message = new Message<byte[]?, byte[]>
            {
                Key = key,
                Value = body,
                Timestamp = new Timestamp(now),
                Headers = new Headers
                {
                    { SamsaHeaders.EventId, Encoding.UTF8.GetBytes(eventId.ToString("D")) },
                    { SamsaHeaders.EventType, Encoding.UTF8.GetBytes(eventType) },
                    { SamsaHeaders.Timestamp, Encoding.UTF8.GetBytes(now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) },
                    { SamsaHeaders.ContentType, JsonContentType },
                    { SamsaHeaders.CorrelationId, Encoding.UTF8.GetBytes(correlationId) },
                    { SamsaHeaders.TraceParent, Encoding.UTF8.GetBytes($"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01") },
                },
            };
            try
            {
                var result = await producer.ProduceAsync(topic, message, context.RequestAborted);
                return Results.Json(
                    new PublishedEvent(result.Topic, result.Partition.Value, result.Offset.Value, result.Timestamp.UtcDateTime, eventId),
                    statusCode: StatusCodes.Status201Created);
            }
            catch (ProduceException<byte[]?, byte[]> ex)
            {
                return Results.Problem(detail: ex.Error.Reason, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });

        app.Run();
        producer.Flush(TimeSpan.FromSeconds(10));
        return 0;
    }

    private static async Task<byte[]> ReadBodyAsync(System.IO.Pipelines.PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.IsCompleted || read.IsCanceled)
            {
                var body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>The service's answer shape.</summary>
    private sealed record PublishedEvent(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, Guid EventId);
}

using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Samsa.EventService.Tests;

/// <summary>
/// A minimal OTLP/HTTP receiver (protobuf, as the OpenTelemetry .NET exporter sends it) on a free loopback port: it
/// keeps the name, trace id, span id and parent span id of every span posted to <c>/v1/traces</c>, and accepts
/// <c>/v1/metrics</c> and <c>/v1/logs</c> without reading them.
/// </summary>
internal sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpTraceReceiver(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = string.Empty;

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            foreach (var span in OtlpProtobuf.ReadSpans(buffer.ToArray()))
            {
                receiver._spans.Enqueue(span);
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", () => Results.Bytes([], "application/x-protobuf"));
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        receiver.Endpoint = app.Urls.Single().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>One span as the receiver saw it (ids in lower-case hex).</summary>
internal sealed record ReceivedSpan(string Name, string TraceId, string SpanId, string ParentSpanId);

/// <summary>
/// Reads spans out of an OTLP <c>ExportTraceServiceRequest</c> by walking the protobuf wire format: resource_spans (1)
/// → scope_spans (2) → spans (2) → trace_id (1), span_id (2), parent_span_id (4), name (5). Field numbers are those of
/// opentelemetry-proto's trace.proto; everything else is skipped.
/// </summary>
internal static class OtlpProtobuf
{
    public static IEnumerable<ReceivedSpan> ReadSpans(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    spans.Add(new ReceivedSpan(
                        System.Text.Encoding.UTF8.GetString(Fields(span, 5).FirstOrDefault() ?? []),
                        Convert.ToHexStringLower(Fields(span, 1).FirstOrDefault() ?? []),
                        Convert.ToHexStringLower(Fields(span, 2).FirstOrDefault() ?? []),
                        Convert.ToHexStringLower(Fields(span, 4).FirstOrDefault() ?? [])));
                }
            }
        }

        return spans;
    }

    /// <summary>The values of length-delimited field <paramref name="number"/> in <paramref name="message"/>.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var values = new List<byte[]>();
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message, ref position);
            var field = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    ReadVarint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    if (field == number)
                    {
                        values.Add(message[position..(position + length)]);
                    }

                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {key & 7} at byte {position} is not one OTLP uses.");
            }
        }

        return values;
    }

    private static ulong ReadVarint(byte[] buffer, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = buffer[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("A varint longer than 10 bytes.");
    }
}

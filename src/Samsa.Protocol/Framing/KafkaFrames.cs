using System.Buffers.Binary;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Framing;

/// <summary>Encodes and decodes whole request and response frames (size prefix, header, body).</summary>
public static class KafkaFrames
{
    /// <summary>
    /// Reads the request header of a frame (the bytes after the size prefix) and
    /// leaves <paramref name="reader"/> at the start of the body. The header version follows the API
    /// version even when the API version is one this library does not support, so the caller can
    /// still answer with an error.
    /// </summary>
    public static RequestHeader ReadRequestHeader(ref KafkaReader reader)
    {
        var info = RequestHeaderInfo.Peek(reader.RemainingSpan);
        var header = new RequestHeader();
        header.Read(ref reader, HeaderVersions.Request(info.ApiKey, info.ApiVersion));
        return header;
    }

    /// <summary>
    /// Decodes a whole request frame: header and body. Unknown API keys and unsupported versions
    /// are <see cref="ProtocolException"/>s.
    /// </summary>
    public static (RequestHeader Header, IKafkaRequest Body) ReadRequest(ReadOnlyMemory<byte> frame)
    {
        var reader = new KafkaReader(frame);
        var header = ReadRequestHeader(ref reader);
        var key = (ApiKey)header.RequestApiKey;
        var body = KafkaMessageFactory.CreateRequest(key)
            ?? throw new ProtocolException($"Unknown API key {header.RequestApiKey} in request with correlation id {header.CorrelationId}.");
        if (header.RequestApiVersion < body.LowestVersion || header.RequestApiVersion > body.HighestVersion)
        {
            throw new ProtocolException($"{key} version {header.RequestApiVersion} is not supported (supported: {body.LowestVersion}-{body.HighestVersion}).");
        }

        body.Read(ref reader, header.RequestApiVersion);
        return (header, body);
    }

    /// <summary>Reads a response frame's header and body for a request sent with <paramref name="key"/> at <paramref name="version"/>.</summary>
    public static (int CorrelationId, IKafkaResponse Body) ReadResponse(ReadOnlyMemory<byte> frame, ApiKey key, short version)
    {
        var reader = new KafkaReader(frame);
        var header = new ResponseHeader();
        header.Read(ref reader, HeaderVersions.Response(key, version));
        var body = KafkaMessageFactory.CreateResponse(key) ?? throw new ProtocolException($"Unknown API key {(short)key}.");
        body.Read(ref reader, version);
        return (header.CorrelationId, body);
    }

    /// <summary>Writes a size-prefixed request frame.</summary>
    public static void WriteRequest(PooledBufferWriter output, IKafkaRequest body, short version, int correlationId, string? clientId)
    {
        var header = new RequestHeader
        {
            RequestApiKey = (short)body.ApiKey,
            RequestApiVersion = version,
            CorrelationId = correlationId,
            ClientId = clientId,
        };
        var start = BeginFrame(output);
        var writer = new KafkaWriter(output);
        header.Write(ref writer, HeaderVersions.Request(body.ApiKey, version));
        body.Write(ref writer, version);
        EndFrame(output, start);
    }

    /// <summary>Writes a size-prefixed response frame.</summary>
    public static void WriteResponse(PooledBufferWriter output, IKafkaResponse body, short version, int correlationId)
    {
        var start = BeginFrame(output);
        var writer = new KafkaWriter(output);
        var header = new ResponseHeader { CorrelationId = correlationId };
        header.Write(ref writer, HeaderVersions.Response(body.ApiKey, version));
        body.Write(ref writer, version);
        EndFrame(output, start);
    }

    /// <summary>Reserves the size prefix; returns where it is.</summary>
    public static int BeginFrame(PooledBufferWriter output)
    {
        var start = output.WrittenCount;
        output.GetSpan(4);
        output.Advance(4);
        return start;
    }

    /// <summary>Patches the size prefix reserved by <see cref="BeginFrame"/>.</summary>
    public static void EndFrame(PooledBufferWriter output, int start)
    {
        var size = output.WrittenCount - start - 4;
        BinaryPrimitives.WriteInt32BigEndian(output.WrittenSpanMutable[start..], size);
    }
}

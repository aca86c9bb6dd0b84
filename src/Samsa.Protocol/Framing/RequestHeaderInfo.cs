using System.Buffers.Binary;

namespace Samsa.Protocol.Framing;

/// <summary>The parts of a request header every version shares: enough to route or reject a request.</summary>
public readonly record struct RequestHeaderInfo(ApiKey ApiKey, short ApiVersion, int CorrelationId)
{
    /// <summary>Reads api key, api version and correlation id from the first 8 bytes of a request frame.</summary>
    public static RequestHeaderInfo Peek(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 8)
        {
            throw new ProtocolException($"Request frame of {frame.Length} bytes is shorter than the 8-byte minimum request header.");
        }

        return new RequestHeaderInfo(
            (ApiKey)BinaryPrimitives.ReadInt16BigEndian(frame),
            BinaryPrimitives.ReadInt16BigEndian(frame[2..]),
            BinaryPrimitives.ReadInt32BigEndian(frame[4..]));
    }
}

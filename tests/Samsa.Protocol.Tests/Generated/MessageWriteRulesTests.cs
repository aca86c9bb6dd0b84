using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Tests.Generated;

public class MessageWriteRulesTests
{
    private static byte[] Write(IKafkaMessage message, short version)
    {
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        return buffer.WrittenMemory.ToArray();
    }

    [Fact]
    public void Write_FieldAbsentInVersionWithValue_ThrowsProtocolException()
    {
        var request = new ProduceRequest { TransactionalId = "txn" };

        var exception = Assert.Throws<ProtocolException>(() => Write(request, 2));

        Assert.Contains("ProduceRequest.TransactionalId", exception.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_IgnorableFieldAbsentInVersion_IsDropped()
    {
        // ThrottleTimeMs exists from v1 on and is ignorable: at v0 it is left out, not an error.
        var response = new ApiVersionsResponse { ThrottleTimeMs = 100 };

        var written = Write(response, 0);

        Assert.Equal(Write(new ApiVersionsResponse(), 0), written);
        var decoded = new ApiVersionsResponse();
        var reader = new KafkaReader(written);
        decoded.Read(ref reader, 0);
        Assert.Equal(0, decoded.ThrottleTimeMs);
    }

    [Fact]
    public void Write_NullWhereVersionIsNotNullable_ThrowsProtocolException()
    {
        // MetadataRequest.Topics is nullable from v1 on only.
        var request = new MetadataRequest { Topics = null };

        var exception = Assert.Throws<ProtocolException>(() => Write(request, 0));

        Assert.Contains("MetadataRequest.Topics", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_UnsupportedVersion_ThrowsProtocolException()
    {
        var exception = Assert.Throws<ProtocolException>(() => Write(new ApiVersionsRequest(), 99));

        Assert.Contains("version 99", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownTaggedFields_AreKeptAndWrittenBack()
    {
        var request = new ApiVersionsRequest
        {
            ClientSoftwareName = "samsa",
            ClientSoftwareVersion = "1.0",
            UnknownTaggedFields = [new RawTaggedField(5, [1, 2, 3]), new RawTaggedField(9, [])],
        };
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        request.Write(ref writer, 3);

        var decoded = new ApiVersionsRequest();
        var reader = new KafkaReader(buffer.WrittenMemory);
        decoded.Read(ref reader, 3);

        Assert.Equal([5, 9], decoded.UnknownTaggedFields!.Select(f => f.Tag));
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.UnknownTaggedFields![0].Data);
    }

    [Fact]
    public void Read_TaggedFieldSizeDisagreesWithValue_ThrowsProtocolException()
    {
        // FetchResponse v12 partition with tag 0 (DivergingEpoch) declaring 3 bytes for a 12-byte struct + tag section.
        var response = new FetchResponse
        {
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    Topic = "t",
                    Partitions = [new FetchResponse.PartitionData { DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = 3, EndOffset = 9 } }],
                },
            ],
        };
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        response.Write(ref writer, 12);
        var bytes = buffer.ToArray();
        // The tagged field's size byte is the one after the tag (0) that follows the records field (null: 0).
        var sizeIndex = Array.IndexOf(bytes, (byte)13, 10);
        Assert.True(sizeIndex > 0);
        bytes[sizeIndex] = 3;

        var exception = Assert.Throws<ProtocolException>(() =>
        {
            var reader = new KafkaReader(bytes.AsMemory());
            new FetchResponse().Read(ref reader, 12);
        });
        Assert.Contains("FetchResponse.Responses", exception.Message, StringComparison.Ordinal);
    }
}

using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

public class ControlRecordTests
{
    [Theory]
    [InlineData(ControlRecordType.Commit)]
    [InlineData(ControlRecordType.Abort)]
    public void CreateEndTransactionBatch_ReadBack_YieldsMarker(ControlRecordType type)
    {
        var bytes = ControlRecord.CreateEndTransactionBatch(type, producerId: 4000, producerEpoch: 2, coordinatorEpoch: 11, timestamp: 123, baseOffset: 50);
        var batch = RecordBatch.Parse(bytes);
        batch.EnsureValidCrc();
        Assert.True(batch.Header.IsControl);
        Assert.True(batch.Header.IsTransactional);
        Assert.Equal(4000, batch.Header.ProducerId);
        Assert.Equal(2, batch.Header.ProducerEpoch);
        Assert.Equal(-1, batch.Header.BaseSequence);

        var record = Assert.Single(batch.ReadRecords());
        Assert.Equal(50, record.Offset);
        Assert.Equal(123, record.Timestamp);
        Assert.Equal(type, ControlRecord.ReadType(record.Key!.Value.Span));
        Assert.Equal(11, ControlRecord.ReadCoordinatorEpoch(record.Value!.Value.Span));
    }

    [Fact]
    public void CreateKey_Commit_IsVersionZeroTypeOne() =>
        Assert.Equal([0, 0, 0, 1], ControlRecord.CreateKey(ControlRecordType.Commit));

    [Fact]
    public void CreateEndTransactionValue_WritesVersionAndEpoch() =>
        Assert.Equal([0, 0, 0, 0, 1, 2], ControlRecord.CreateEndTransactionValue(258));

    [Fact]
    public void ReadType_ShortKey_ThrowsProtocolException()
    {
        Assert.False(ControlRecord.TryReadType([0, 0, 1], out _));
        Assert.Throws<ProtocolException>(() => ControlRecord.ReadType([0, 0, 1]));
    }

    [Fact]
    public void ReadCoordinatorEpoch_ShortValue_ThrowsProtocolException() =>
        Assert.Throws<ProtocolException>(() => ControlRecord.ReadCoordinatorEpoch([0, 0, 0, 0, 1]));

    [Fact]
    public void ReadType_UnknownType_ReturnsRawValue()
    {
        Assert.True(ControlRecord.TryReadType([0, 0, 0, 3], out var type));
        Assert.Equal((ControlRecordType)3, type);
    }
}

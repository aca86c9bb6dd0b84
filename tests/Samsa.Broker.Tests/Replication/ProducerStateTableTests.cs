using Samsa.Broker.Replication;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Replication;

public class ProducerStateTableTests
{
    [Fact]
    public void Check_UnknownProducer_AcceptsAnySequence()
    {
        var table = new ProducerStateTable();

        Assert.Equal(SequenceCheck.Append, table.Check(7, 0, 42, 45));
    }

    [Fact]
    public void Check_RetriedBatch_ReturnsOriginalOffset()
    {
        var table = new ProducerStateTable();
        table.Record(7, 0, 0, 9, 100, 109);
        table.Record(7, 0, 10, 19, 110, 119);

        var check = table.Check(7, 0, 0, 9);

        Assert.Equal(ErrorCode.None, check.Error);
        Assert.Equal(100, check.DuplicateOffset);
    }

    [Fact]
    public void Check_SequenceGap_ReturnsOutOfOrderSequenceNumber()
    {
        var table = new ProducerStateTable();
        table.Record(7, 0, 0, 9, 0, 9);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, table.Check(7, 0, 11, 12).Error);
        Assert.Equal(SequenceCheck.Append, table.Check(7, 0, 10, 12));
    }

    [Fact]
    public void Check_OlderEpoch_ReturnsInvalidProducerEpoch()
    {
        var table = new ProducerStateTable();
        table.Record(7, 3, 0, 0, 0, 0);

        Assert.Equal(ErrorCode.InvalidProducerEpoch, table.Check(7, 2, 1, 1).Error);
    }

    [Fact]
    public void Check_NewEpoch_MustStartAtZero()
    {
        var table = new ProducerStateTable();
        table.Record(7, 0, 0, 4, 0, 4);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, table.Check(7, 1, 5, 6).Error);
        Assert.Equal(SequenceCheck.Append, table.Check(7, 1, 0, 3));
    }

    [Fact]
    public void Check_BatchOlderThanTheLastFive_IsNotTakenForADuplicate()
    {
        var table = new ProducerStateTable();
        for (var i = 0; i < 6; i++)
        {
            table.Record(7, 0, i * 10, (i * 10) + 9, i * 10, (i * 10) + 9);
        }

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, table.Check(7, 0, 0, 9).Error);
        Assert.Equal(50, table.Check(7, 0, 50, 59).DuplicateOffset);
    }

    [Fact]
    public void Replay_StoredBatches_RestoresTheSequencesButSkipsPlainAndControlBatches()
    {
        var table = new ProducerStateTable();
        table.Replay(Header(baseOffset: 100, lastOffsetDelta: 9, producerId: 7, baseSequence: 0));
        table.Replay(Header(baseOffset: 110, lastOffsetDelta: 0, producerId: -1, baseSequence: -1));
        table.Replay(Header(baseOffset: 111, lastOffsetDelta: 0, producerId: 8, baseSequence: -1, attributes: (short)(RecordBatchHeader.ControlMask | RecordBatchHeader.TransactionalMask)));

        Assert.Equal(100, table.Check(7, 0, 0, 9).DuplicateOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, table.Check(7, 0, 11, 12).Error);
        Assert.Equal(1, table.Count);
    }

    private static RecordBatchHeader Header(long baseOffset, int lastOffsetDelta, long producerId, int baseSequence, short attributes = 0) =>
        new(baseOffset, 0, 0, 2, 0, attributes, lastOffsetDelta, 0, 0, producerId, 0, baseSequence, lastOffsetDelta + 1);
}

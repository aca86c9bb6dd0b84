using Samsa.Broker.Replication;
using Samsa.Protocol;

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
}

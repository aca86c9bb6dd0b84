using Samsa.Broker.Replication;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Replication;

public class PartitionTransactionIndexTests
{
    private static byte[] Data(long producerId, int count, bool transactional = true)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, 256)
        {
            ProducerId = producerId,
            ProducerEpoch = 0,
            BaseSequence = 0,
            IsTransactional = transactional,
        };
        for (var i = 0; i < count; i++)
        {
            builder.Append(0, null, new byte[] { 1 });
        }

        return builder.ToArray();
    }

    private static byte[] Marker(long producerId, ControlRecordType type) => ControlRecord.CreateEndTransactionBatch(type, producerId, 0, 0, 0);

    [Fact]
    public void FirstUnstableOffset_OpenTransactions_IsTheOldestFirstOffset()
    {
        var index = new PartitionTransactionIndex();
        Assert.Equal(long.MaxValue, index.FirstUnstableOffset);

        index.Apply(Data(1, 2), 10);
        index.Apply(Data(2, 1), 12);
        index.Apply(Data(1, 1), 13);

        Assert.Equal(10, index.FirstUnstableOffset);
        index.Apply(Marker(1, ControlRecordType.Commit), 14);
        Assert.Equal(12, index.FirstUnstableOffset);
        index.Apply(Marker(2, ControlRecordType.Abort), 15);
        Assert.Equal(long.MaxValue, index.FirstUnstableOffset);
    }

    [Fact]
    public void IsAborted_DataOfAbortedTransaction_TrueOnlyForThatProducerAndRange()
    {
        var index = new PartitionTransactionIndex();
        index.Apply(Data(1, 2), 0);
        index.Apply(Data(2, 1), 2);
        index.Apply(Marker(1, ControlRecordType.Abort), 3);
        index.Apply(Marker(2, ControlRecordType.Commit), 4);
        index.Apply(Data(1, 1), 5);
        index.Apply(Marker(1, ControlRecordType.Commit), 6);

        Assert.True(index.IsAborted(1, 0));
        Assert.True(index.IsAborted(1, 1));
        Assert.False(index.IsAborted(2, 2));
        Assert.False(index.IsAborted(1, 5));
        Assert.False(index.IsAborted(3, 0));
    }

    [Fact]
    public void AbortedIn_Range_ReturnsTransactionsOverlappingIt()
    {
        var index = new PartitionTransactionIndex();
        index.Apply(Data(1, 2), 0);
        index.Apply(Marker(1, ControlRecordType.Abort), 2);
        index.Apply(Data(2, 2), 3);
        index.Apply(Marker(2, ControlRecordType.Commit), 5);
        index.Apply(Data(3, 2), 6);
        index.Apply(Marker(3, ControlRecordType.Abort), 8);

        Assert.Equal([new AbortedTransaction(1, 0, 2), new AbortedTransaction(3, 6, 8)], index.AbortedIn(0, 9));
        Assert.Equal([new AbortedTransaction(3, 6, 8)], index.AbortedIn(3, 9));
        Assert.Equal([new AbortedTransaction(1, 0, 2)], index.AbortedIn(0, 5));
        Assert.Empty(index.AbortedIn(9, 20));
    }

    [Fact]
    public void Apply_NonTransactionalAndStrayMarkers_ChangeNothing()
    {
        var index = new PartitionTransactionIndex();

        index.Apply(Data(1, 3, transactional: false), 0);
        index.Apply(Marker(5, ControlRecordType.Abort), 3);

        Assert.Equal(long.MaxValue, index.FirstUnstableOffset);
        Assert.Empty(index.AbortedIn(0, 10));
    }

    [Fact]
    public void RemoveBefore_LogStartPastAnAbortedTransaction_ForgetsIt()
    {
        var index = new PartitionTransactionIndex();
        index.Apply(Data(1, 2), 0);
        index.Apply(Marker(1, ControlRecordType.Abort), 2);
        index.Apply(Data(2, 2), 3);
        index.Apply(Marker(2, ControlRecordType.Abort), 5);

        index.RemoveBefore(3);

        Assert.Equal([new AbortedTransaction(2, 3, 5)], index.AbortedIn(0, 10));
    }
}

using System.Collections.Immutable;
using Samsa.Broker.Groups;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages.Internal;

namespace Samsa.Broker.Tests.Transactions;

public class TransactionRecordsTests
{
    [Fact]
    public void Value_OngoingTransaction_RoundTripsThroughKafkasFormat()
    {
        var snapshot = new TransactionSnapshot(
            "txn",
            ProducerId: 7,
            PreviousProducerId: -1,
            ProducerEpoch: 3,
            LastProducerEpoch: -1,
            TimeoutMs: 60_000,
            TransactionState.Ongoing,
            ImmutableHashSet.Create(new TopicPartitionKey("b", 1), new TopicPartitionKey("a", 2), new TopicPartitionKey("a", 0)),
            StartTimestamp: 1000,
            LastUpdateTimestamp: 2000);

        var key = TransactionRecords.Key("txn");
        var value = TransactionRecords.Value(snapshot);

        Assert.Equal("txn", TransactionRecords.ReadKey(key));
        Assert.Equal(snapshot with { Partitions = [] }, TransactionRecords.ReadValue("txn", value) with { Partitions = [] });
        Assert.True(snapshot.Partitions.SetEquals(TransactionRecords.ReadValue("txn", value).Partitions));

        // As Kafka's tools read it: value version 0, status byte 1 (Ongoing), partitions grouped by topic in order.
        var reader = new KafkaReader(value);
        Assert.Equal(0, reader.ReadInt16());
        var decoded = new TransactionLogValue();
        decoded.Read(ref reader, 0);
        Assert.Equal(1, decoded.TransactionStatus);
        Assert.Equal(["a", "b"], decoded.TransactionPartitions!.Select(p => p.Topic));
        Assert.Equal([0, 2], decoded.TransactionPartitions![0].PartitionIds);
    }

    [Fact]
    public void Value_EmptyState_WritesNullPartitions()
    {
        var snapshot = TransactionSnapshot.New("txn", 1, 1000, 5) with { ProducerEpoch = 0 };

        var reader = new KafkaReader(TransactionRecords.Value(snapshot));
        var version = reader.ReadInt16();
        var decoded = new TransactionLogValue();
        decoded.Read(ref reader, version);

        Assert.Null(decoded.TransactionPartitions);
        Assert.Equal(0, decoded.TransactionStatus);
    }
}

using Samsa.Broker.Storage;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Replication;

/// <summary>
/// Rebuilds what a partition derives from its log when the log is opened (at start-up, after
/// recovery has cut any torn tail, and when an offline partition's leader comes back): the
/// transaction index and the idempotent-producer state. One pass over the leader's log from its
/// start feeds both, so they describe exactly the batches the log holds; nothing is served
/// before it ends (the start-up gate loads every partition before a port accepts).
/// </summary>
internal static class PartitionStateRebuild
{
    private const int ReadBytes = 1 << 20;

    public static (PartitionTransactionIndex Transactions, ProducerStateTable Producers) Rebuild(PartitionLog log)
    {
        var transactions = new PartitionTransactionIndex();
        var producers = new ProducerStateTable();
        var offset = log.LogStartOffset;
        var end = log.LogEndOffset;
        while (offset < end)
        {
            using var read = log.Read(offset, ReadBytes, end);
            if (read.Records.IsEmpty)
            {
                break;
            }

            var next = offset;
            var reader = new RecordBatchReader(read.Records);
            while (reader.TryReadNext(out var batch))
            {
                transactions.Apply(batch.Memory.Span, batch.Header.BaseOffset);
                producers.Replay(batch.Header);
                next = batch.Header.LastOffset + 1;
            }

            if (next <= offset)
            {
                break;
            }

            offset = next;
        }

        return (transactions, producers);
    }
}

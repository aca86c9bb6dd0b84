using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Support;

/// <summary>Looks at the batches a broker stored, to check what clients really sent (e.g. that a codec was used).</summary>
internal static class StoredBatches
{
    public static IReadOnlyList<RecordBatchHeader> Headers(SamsaBroker broker, string topic, int partition = 0)
    {
        Assert.True(broker.Cluster.TryGetTopic(topic, out var state), $"topic {topic} does not exist");
        Assert.True(state.TryGetPartition(partition, out var log));
        var read = log.Read(log.Leadership.LeaderId, log.LogStartOffset, int.MaxValue);
        using var data = read.Data;
        var headers = new List<RecordBatchHeader>();
        var reader = new RecordBatchReader(data.Records);
        while (reader.TryReadNext(out var batch))
        {
            headers.Add(batch.Header);
        }

        return headers;
    }
}

using Confluent.Kafka;

namespace Samsa.Consuming.DeadLetter;

/// <summary>
/// Reads every partition of a topic from its start to the end it had when reading began, with an assigned consumer
/// (no group is joined and nothing is committed).
/// </summary>
internal static class TopicReader
{
    /// <summary>Calls <paramref name="onRecord"/> for each record of <paramref name="partitions"/>, in offset order per partition.</summary>
    /// <exception cref="TimeoutException">The end was not reached within <paramref name="timeout"/>.</exception>
    public static void ReadAll(
        ConsumerConfig config, string topic, IReadOnlyList<int> partitions, TimeSpan timeout, TimeProvider timeProvider,
        Action<ConsumeResult<byte[]?, byte[]?>> onRecord, CancellationToken cancellationToken)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        var started = timeProvider.GetTimestamp();
        var ends = new Dictionary<int, long>();
        var assign = new List<TopicPartitionOffset>();
        foreach (var partition in partitions)
        {
            var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), Remaining(timeout, started, timeProvider));
            if (watermarks.High.Value > watermarks.Low.Value)
            {
                ends[partition] = watermarks.High.Value;
                assign.Add(new TopicPartitionOffset(topic, partition, watermarks.Low));
            }
        }

        if (assign.Count == 0)
        {
            return;
        }

        consumer.Assign(assign);
        while (ends.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = Remaining(timeout, started, timeProvider);
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"Topic {topic} could not be read to its end within {timeout.TotalSeconds:0.###} s; partitions left: {string.Join(", ", ends.Keys)}.");
            }

            var record = consumer.Consume(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            if (record is null)
            {
                continue;
            }

            var partition = record.Partition.Value;
            if (record.IsPartitionEOF)
            {
                ends.Remove(partition);
                continue;
            }

            if (!ends.TryGetValue(partition, out var end) || record.Offset.Value >= end)
            {
                continue;
            }

            onRecord(record);
            if (record.Offset.Value + 1 >= end)
            {
                ends.Remove(partition);
            }
        }
    }

    private static TimeSpan Remaining(TimeSpan timeout, long started, TimeProvider timeProvider) => timeout - timeProvider.GetElapsedTime(started);
}

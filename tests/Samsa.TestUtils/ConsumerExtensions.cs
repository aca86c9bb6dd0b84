using System.Diagnostics;
using Confluent.Kafka;

namespace Samsa.TestUtils;

public static class ConsumerExtensions
{
    /// <summary>Consumes until <paramref name="count"/> records arrived or <paramref name="timeout"/> passed; returns what arrived.</summary>
    public static List<ConsumeResult<TKey, TValue>> ConsumeMany<TKey, TValue>(this IConsumer<TKey, TValue> consumer, int count, TimeSpan timeout)
    {
        var results = new List<ConsumeResult<TKey, TValue>>(count);
        var clock = Stopwatch.StartNew();
        while (results.Count < count && clock.Elapsed < timeout)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is not null && !result.IsPartitionEOF)
            {
                results.Add(result);
            }
        }

        return results;
    }

    /// <summary>
    /// Reads the assigned partitions to their ends (the consumer needs <c>enable.partition.eof</c>): returns every record
    /// once each of <paramref name="partitions"/> partitions has reported its end; throws when they do not within
    /// <paramref name="timeout"/>.
    /// </summary>
    public static List<ConsumeResult<TKey, TValue>> ConsumeToEnd<TKey, TValue>(this IConsumer<TKey, TValue> consumer, int partitions, TimeSpan timeout)
    {
        var records = new List<ConsumeResult<TKey, TValue>>();
        var ended = new HashSet<int>();
        var clock = Stopwatch.StartNew();
        while (ended.Count < partitions)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{partitions - ended.Count} of {partitions} partition(s) did not reach their end within {timeout}; {records.Count} record(s) read.");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
            }
            else
            {
                // A partition that ended may grow again; it has ended once it says so again.
                ended.Remove(result.Partition.Value);
                records.Add(result);
            }
        }

        return records;
    }
}

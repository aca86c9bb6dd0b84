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
}

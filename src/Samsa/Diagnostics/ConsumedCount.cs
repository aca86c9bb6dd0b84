namespace Samsa.Diagnostics;

/// <summary>
/// The running total of records one partition's processor delivered to the pipeline, which
/// <see cref="ConsumerMetrics"/> reports as <see cref="SamsaInstruments.ConsumedMessages"/> when collected. A field
/// increment per record instead of a measurement per record: the counter's attributes are the same for every record
/// of a partition, so aggregating them in the SDK on each record bought nothing but cost.
/// </summary>
internal sealed class ConsumedCount
{
    private long _value;

    public ConsumedCount(string topic, string group, int partition)
    {
        Topic = topic;
        Group = group;
        Partition = partition;
    }

    public string Topic { get; }

    public string Group { get; }

    public int Partition { get; }

    /// <summary>The total so far; read by the collecting thread.</summary>
    public long Value => Volatile.Read(ref _value);

    /// <summary>One more record; called by the partition's processor only, so a plain add published with a volatile write is enough.</summary>
    public void Increment() => Volatile.Write(ref _value, _value + 1);
}

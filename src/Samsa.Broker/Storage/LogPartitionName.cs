using System.Globalization;

namespace Samsa.Broker.Storage;

/// <summary>
/// A topic-partition as storage names it: the directory <c>&lt;topic&gt;-&lt;partition&gt;</c>.
/// Topic names are checked against Kafka's rules, which also keeps them safe as directory names.
/// </summary>
internal readonly record struct LogPartitionName
{
    public LogPartitionName(string topic, int partition)
    {
        if (!IsValidTopic(topic))
        {
            throw new ArgumentException($"'{topic}' is not a valid topic name: use 1-{TopicNames.MaxLength} of a-z A-Z 0-9 . _ -, and not '.' or '..'.", nameof(topic));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        Topic = topic;
        Partition = partition;
    }

    public string Topic { get; }

    public int Partition { get; }

    public string DirectoryName => $"{Topic}-{Partition.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => DirectoryName;

    /// <summary>Parses a directory name; false for anything that is not a partition directory.</summary>
    public static bool TryParse(string directoryName, out LogPartitionName name)
    {
        name = default;
        var dash = directoryName.LastIndexOf('-');
        if (dash <= 0
            || !int.TryParse(directoryName.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !IsValidTopic(directoryName[..dash]))
        {
            return false;
        }

        name = new LogPartitionName(directoryName[..dash], partition);
        return name.DirectoryName == directoryName;
    }

    /// <summary>Kafka's rule, <see cref="TopicNames.Validate"/>.</summary>
    public static bool IsValidTopic(string? topic) => TopicNames.Validate(topic) is null;
}

using System.Globalization;

namespace Samsa.Consuming.Retry;

/// <summary>
/// The names of the topics that go with a source topic: <c>orders.retry.1</c>, <c>orders.retry.2</c>… for the retry
/// levels, <c>orders.dlq</c> for dead letters, and <c>orders.dlq.replayed</c> for the replay ledger.
/// </summary>
public static class RetryTopicNames
{
    /// <summary>The suffix of a retry topic before its level: <c>.retry.</c>.</summary>
    public const string RetrySuffix = ".retry.";

    /// <summary>The suffix of the default dead-letter topic: <c>.dlq</c>.</summary>
    public const string DeadLetterSuffix = ".dlq";

    /// <summary>The suffix of a dead-letter topic's replay ledger: <c>.replayed</c>.</summary>
    public const string ReplayLedgerSuffix = ".replayed";

    /// <summary>The retry topic of <paramref name="topic"/> for <paramref name="level"/> (1 for the first).</summary>
    public static string Retry(string topic, int level)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        return string.Create(CultureInfo.InvariantCulture, $"{topic}{RetrySuffix}{level}");
    }

    /// <summary>The default dead-letter topic of <paramref name="topic"/>: <c>&lt;topic&gt;.dlq</c>.</summary>
    public static string DeadLetter(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        return topic + DeadLetterSuffix;
    }

    /// <summary>The replay ledger of <paramref name="deadLetterTopic"/>: <c>&lt;dead-letter topic&gt;.replayed</c>.</summary>
    public static string ReplayLedger(string deadLetterTopic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deadLetterTopic);
        return deadLetterTopic + ReplayLedgerSuffix;
    }

    /// <summary>The retry level of <paramref name="topic"/> for <paramref name="sourceTopic"/>: 0 for the source itself, n for its n-th retry topic, -1 otherwise.</summary>
    public static int LevelOf(string topic, string sourceTopic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(sourceTopic);
        if (string.Equals(topic, sourceTopic, StringComparison.Ordinal))
        {
            return 0;
        }

        if (topic.Length > sourceTopic.Length + RetrySuffix.Length
            && topic.StartsWith(sourceTopic, StringComparison.Ordinal)
            && topic.AsSpan(sourceTopic.Length).StartsWith(RetrySuffix, StringComparison.Ordinal)
            && int.TryParse(topic.AsSpan(sourceTopic.Length + RetrySuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var level)
            && level >= 1)
        {
            return level;
        }

        return -1;
    }
}

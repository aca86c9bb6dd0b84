namespace Samsa.Consuming.DeadLetter;

/// <summary>
/// The headers a dead-lettered record gains, next to its own key, value and headers. Values are UTF-8 text: times in
/// ISO 8601 UTC (<c>2026-08-21T10:15:30.1234567Z</c>), numbers in decimal. A replayed record carries the replay headers.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>The prefix of every dead-letter header; such headers are dropped when the record is replayed.</summary>
    public const string Prefix = "samsa-dlq-";

    /// <summary>The topic the record was first read from.</summary>
    public const string OriginalTopic = "samsa-dlq-original-topic";

    /// <summary>Its partition there.</summary>
    public const string OriginalPartition = "samsa-dlq-original-partition";

    /// <summary>Its offset there.</summary>
    public const string OriginalOffset = "samsa-dlq-original-offset";

    /// <summary>Its timestamp there.</summary>
    public const string OriginalTimestamp = "samsa-dlq-original-timestamp";

    /// <summary>The consumer group that dead-lettered it.</summary>
    public const string Group = "samsa-dlq-group";

    /// <summary>Why: <see cref="DeadLetterReasons"/>.</summary>
    public const string Reason = "samsa-dlq-reason";

    /// <summary>The full name of the last exception's type.</summary>
    public const string ExceptionType = "samsa-dlq-exception-type";

    /// <summary>The last exception's message, cut to <see cref="ConsumerDefaults.MaxExceptionMessageLength"/> characters.</summary>
    public const string ExceptionMessage = "samsa-dlq-exception-message";

    /// <summary>The last exception's stack trace, cut to <see cref="ConsumerDefaults.MaxStackTraceLength"/> characters.</summary>
    public const string ExceptionStackTrace = "samsa-dlq-exception-stacktrace";

    /// <summary>Handler calls made (0 for a record that could not be deserialized).</summary>
    public const string Attempts = "samsa-dlq-attempts";

    /// <summary>When the first handler call (or the deserialization) failed.</summary>
    public const string FirstFailure = "samsa-dlq-first-failure";

    /// <summary>When the last one failed.</summary>
    public const string LastFailure = "samsa-dlq-last-failure";

    /// <summary>The prefix of the headers a replayed record carries.</summary>
    public const string ReplayPrefix = "samsa-replay-";

    /// <summary>On a replayed record: the dead letter it came from, as <c>&lt;topic&gt;/&lt;partition&gt;/&lt;offset&gt;</c>.</summary>
    public const string ReplayedFrom = "samsa-replay-from";

    /// <summary>On a replayed record: when it was replayed.</summary>
    public const string ReplayedAt = "samsa-replay-at";

    /// <summary>On a replayed record: the group that dead-lettered it. Consumers of other groups skip it, having handled it the first time.</summary>
    public const string ReplayGroup = "samsa-replay-group";
}

/// <summary>The values of <see cref="DeadLetterHeaders.Reason"/>.</summary>
public static class DeadLetterReasons
{
    /// <summary>The handler failed with a permanent error.</summary>
    public const string Permanent = "permanent";

    /// <summary>The handler failed transiently on every attempt, in place and on every retry topic.</summary>
    public const string RetriesExhausted = "retries-exhausted";

    /// <summary>The value could not be deserialized (a poison record); the handler was never called.</summary>
    public const string Deserialization = "deserialization";
}

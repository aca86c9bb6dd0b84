namespace Samsa.Consuming.Retry;

/// <summary>
/// The headers a record carries on a retry topic, next to all of its original headers. Values are UTF-8 text: times in
/// ISO 8601 UTC (<c>2026-08-21T10:15:30.1234567Z</c>), numbers in decimal.
/// </summary>
public static class RetryHeaders
{
    /// <summary>The prefix every retry header starts with; such headers are dropped when the record is dead-lettered or replayed.</summary>
    public const string Prefix = "samsa-retry-";

    /// <summary>The topic the record was first read from.</summary>
    public const string OriginalTopic = "samsa-retry-original-topic";

    /// <summary>Its partition there.</summary>
    public const string OriginalPartition = "samsa-retry-original-partition";

    /// <summary>Its offset there.</summary>
    public const string OriginalOffset = "samsa-retry-original-offset";

    /// <summary>Its timestamp there.</summary>
    public const string OriginalTimestamp = "samsa-retry-original-timestamp";

    /// <summary>The consumer group that failed it; other groups reading the retry topic skip it.</summary>
    public const string Group = "samsa-retry-group";

    /// <summary>Handler calls so far.</summary>
    public const string Attempts = "samsa-retry-attempts";

    /// <summary>When the first call failed.</summary>
    public const string FirstFailure = "samsa-retry-first-failure";

    /// <summary>When the last call failed.</summary>
    public const string LastFailure = "samsa-retry-last-failure";

    /// <summary>Not before this time is it tried again.</summary>
    public const string Due = "samsa-retry-due";

    /// <summary>The full name of the last exception's type.</summary>
    public const string ExceptionType = "samsa-retry-exception-type";

    /// <summary>The last exception's message (bounded).</summary>
    public const string ExceptionMessage = "samsa-retry-exception-message";
}

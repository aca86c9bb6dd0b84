namespace Samsa.Provisioning;

/// <summary>
/// Kafka's rule for topic names, kept in one place for everything in Samsa that takes a topic name
/// (topic declarations, the EventService's <c>POST /events/{topic}</c>): 1 to 249 ASCII letters,
/// digits, <c>.</c>, <c>_</c> and <c>-</c>, and not <c>.</c> or <c>..</c> (Kafka keeps those out
/// because a topic's directory is named after it).
/// </summary>
public static class TopicNameRules
{
    /// <summary>Null when <paramref name="name"/> is a legal topic name; otherwise what is wrong, as a phrase ("is empty", "cannot be `.` or `..`").</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "is empty";
        }

        if (name.Length > TopicDefaults.Limits.MaxNameLength)
        {
            return $"is {name.Length} characters long; Kafka allows at most {TopicDefaults.Limits.MaxNameLength}";
        }

        if (name is "." or "..")
        {
            return "cannot be `.` or `..`";
        }

        var bad = name.Where(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')).Distinct().ToList();
        return bad.Count == 0
            ? null
            : $"contains {string.Join(", ", bad.Select(c => $"`{c}`"))}; Kafka allows only ASCII letters, digits, `.`, `_` and `-`";
    }

    /// <summary>Whether <paramref name="name"/> is a legal topic name.</summary>
    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Null when <paramref name="name"/> is a legal topic name; otherwise the sentence every caller reports: "'a b' is not a Kafka topic name: it contains ….".</summary>
    public static string? Explain(string? name) => Problem(name) is { } problem ? $"'{name}' is not a Kafka topic name: it {problem}." : null;

    /// <summary>Throws an <see cref="ArgumentException"/> saying what is wrong when <paramref name="name"/> is not a legal topic name.</summary>
    internal static void ThrowIfInvalid(string? name, string parameterName)
    {
        if (Explain(name) is { } explanation)
        {
            throw new ArgumentException(explanation, parameterName);
        }
    }
}

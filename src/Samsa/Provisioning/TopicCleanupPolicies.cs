namespace Samsa.Provisioning;

/// <summary>Kafka's spelling of <see cref="TopicCleanupPolicy"/> values, both ways.</summary>
internal static class TopicCleanupPolicies
{
    /// <summary>What a valid value looks like, for messages.</summary>
    public const string Expected = "delete, compact or compact,delete";

    /// <summary>The <c>cleanup.policy</c> value Kafka takes.</summary>
    public static string Spell(TopicCleanupPolicy policy) => policy switch
    {
        TopicCleanupPolicy.Delete => "delete",
        TopicCleanupPolicy.Compact => "compact",
        TopicCleanupPolicy.CompactDelete => "compact,delete",
        _ => policy.ToString(),
    };

    /// <summary>
    /// Reads a <c>cleanup.policy</c> value as Kafka lists it (<c>delete</c>, <c>compact</c>, <c>compact,delete</c> in
    /// either order, any case) or as the enum is named (<c>CompactDelete</c>).
    /// </summary>
    public static bool TryParse(string? text, out TopicCleanupPolicy policy)
    {
        policy = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // Names only: Enum.TryParse would OR "compact, delete" into Compact, and take "1" for Compact.
        if (text.Trim().All(char.IsAsciiLetter) && Enum.TryParse(text.Trim(), ignoreCase: true, out policy) && Enum.IsDefined(policy))
        {
            return true;
        }

        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.ToUpperInvariant())
            .Distinct()
            .ToList();
        var delete = parts.Remove("DELETE");
        var compact = parts.Remove("COMPACT");
        if (parts.Count > 0 || !(delete || compact))
        {
            return false;
        }

        policy = delete && compact ? TopicCleanupPolicy.CompactDelete : compact ? TopicCleanupPolicy.Compact : TopicCleanupPolicy.Delete;
        return true;
    }
}

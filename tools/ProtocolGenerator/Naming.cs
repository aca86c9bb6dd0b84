namespace Samsa.ProtocolGenerator;

/// <summary>Turns schema names into C# names.</summary>
public static class Naming
{
    public static string Pascal(string name) =>
        name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    /// <summary>UNKNOWN_TOPIC_OR_PARTITION -> UnknownTopicOrPartition.</summary>
    public static string FromScreamingSnake(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));
}

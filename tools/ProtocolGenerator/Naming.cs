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

    /// <summary>TopicPartitions -> "topic partitions", for generated prose.</summary>
    public static string Words(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c) && (char.IsLower(pascal[i - 1]) || (i + 1 < pascal.Length && char.IsLower(pascal[i + 1]))))
            {
                builder.Append(' ');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}

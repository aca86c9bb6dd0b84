namespace Samsa.Broker.Storage;

/// <summary>
/// Kafka's rules for topic names (its <c>Topic.validate</c>): the broker's one copy, checked when a
/// topic is created or named in a request. They keep names safe as log directory names
/// (<see cref="LogPartitionName"/>): Kafka caps the length at 249 because file systems cap a
/// name at 255 characters.
/// </summary>
internal static class TopicNames
{
    public const int MaxLength = 249;

    /// <summary>Null when <paramref name="name"/> is a legal topic name, else why not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is illegal, it can't be empty.";
        }

        if (name is "." or "..")
        {
            return "Topic name cannot be \".\" or \"..\".";
        }

        if (name.Length > MaxLength)
        {
            return $"Topic name is illegal, it can't be longer than {MaxLength} characters, topic name: {name}";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
            }
        }

        return null;
    }
}

using System.Text;

namespace Samsa.Publishing;

/// <summary>Ready-made values for <see cref="PublisherOptions.TopicNamingConvention"/>.</summary>
public static class TopicNamingConventions
{
    /// <summary>The type name in kebab case: <c>OrderPlaced</c> → <c>order-placed</c>, <c>HTTPRequestLogged</c> → <c>http-request-logged</c>.</summary>
    public static string KebabCase(Type eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        var name = eventType.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var acronymEnds = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (builder.Length > 0 && (previousIsLower || acronymEnds))
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else if (c == '_')
            {
                builder.Append('-');
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The type's name unchanged: <c>OrderPlaced</c>.</summary>
    public static string TypeName(Type eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return eventType.Name;
    }
}

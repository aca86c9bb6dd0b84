using System.Globalization;

namespace Samsa.Broker.Cluster;

/// <summary>
/// One topic-level config: its name, the broker setting that supplies its default (its synonym),
/// type, default and the values it accepts.
/// </summary>
internal sealed record TopicConfigDefinition(
    string Name,
    string? BrokerSynonym,
    ConfigType Type,
    string Default,
    long Min = long.MinValue,
    long Max = long.MaxValue,
    IReadOnlyList<string>? AllowedValues = null,
    bool AllowsList = false,
    bool Applied = true,
    Func<string, string?>? Check = null)
{
    /// <summary>Null when <paramref name="value"/> is acceptable, else why not.</summary>
    public string? Validate(string? value)
    {
        if (value is null)
        {
            return $"Null value not supported for topic config '{Name}'.";
        }

        switch (Type)
        {
            case ConfigType.Int:
            case ConfigType.Long:
            case ConfigType.Short:
                if (!long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    return $"Invalid value {value} for configuration {Name}: Not a number of type {Type.ToString().ToUpperInvariant()}";
                }

                if (Type == ConfigType.Int && number is > int.MaxValue or < int.MinValue)
                {
                    return $"Invalid value {value} for configuration {Name}: Not a number of type INT";
                }

                if (number < Min || number > Max)
                {
                    return Max == long.MaxValue
                        ? $"Invalid value {value} for configuration {Name}: Value must be at least {Min}"
                        : $"Invalid value {value} for configuration {Name}: Value must be between {Min} and {Max}";
                }

                return null;
            case ConfigType.Double:
                return double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= Min && d <= Max
                    ? null
                    : $"Invalid value {value} for configuration {Name}: Not a number of type DOUBLE in range";
            case ConfigType.Boolean:
                return value.Trim().ToLowerInvariant() is "true" or "false"
                    ? null
                    : $"Invalid value {value} for configuration {Name}: Expected value to be either true or false";
        }

        if (Check?.Invoke(value) is { } problem)
        {
            return $"Invalid value {value} for configuration {Name}: {problem}";
        }

        if (AllowedValues is not null)
        {
            var parts = AllowsList ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [value.Trim()];
            if (parts.Length == 0 && AllowsList)
            {
                return null;
            }

            foreach (var part in parts)
            {
                if (!AllowedValues.Contains(part, StringComparer.Ordinal))
                {
                    return $"Invalid value {value} for configuration {Name}: String must be one of: {string.Join(", ", AllowedValues)}";
                }
            }
        }

        return null;
    }
}

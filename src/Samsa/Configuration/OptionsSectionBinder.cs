using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Samsa.Configuration;

/// <summary>
/// Binds a configuration section (<c>Kafka:Publisher</c>, <c>Kafka:Consumers:&lt;topic&gt;</c>) onto an options object
/// with the same rules as the <c>Kafka</c> section: a key that names no setting is an error with the nearest valid
/// name, a value that does not parse is an error naming the key, and settings that only code can give (delegates,
/// serializers, the names <c>AddConsumer</c> sets) are refused with why. Binding never throws; it returns the errors.
/// </summary>
internal static class OptionsSectionBinder
{
    /// <summary>Binds <paramref name="section"/> onto <paramref name="target"/>.</summary>
    /// <param name="target">The options object.</param>
    /// <param name="section">The section; nothing happens when it does not exist.</param>
    /// <param name="what">What the options are, for messages: "publisher", "consumer of `orders`".</param>
    /// <param name="codeOnly">Settable properties that configuration may not set, with the reason.</param>
    public static List<string> Bind(object target, IConfigurationSection section, string what, IReadOnlyDictionary<string, string>? codeOnly = null)
    {
        var errors = new List<string>();
        if (!section.Exists())
        {
            return errors;
        }

        Check(target.GetType(), section, what, codeOnly, errors);
        if (errors.Count > 0)
        {
            return errors;
        }

        try
        {
            section.Bind(target);
        }
        catch (InvalidOperationException exception)
        {
            errors.Add($"`{section.Path}` could not be bound onto the {what} settings: {exception.Message}");
        }

        return errors;
    }

    private static void Check(Type type, IConfigurationSection section, string what, IReadOnlyDictionary<string, string>? codeOnly, List<string> errors)
    {
        var properties = Bindable(type);
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var nearest = KafkaNameMatcher.FindNearest(child.Key, properties.Select(p => (p.Name, p.Name)));
                errors.Add($"`{child.Path}` is not a {what} setting" +
                    (nearest is null ? $"; the settings are {string.Join(", ", properties.Select(p => p.Name))}." : $"; did you mean `{nearest}`?"));
                continue;
            }

            if (codeOnly is not null && codeOnly.TryGetValue(property.Name, out var reason))
            {
                errors.Add($"`{child.Path}` cannot come from configuration: {reason}");
                continue;
            }

            if (!IsConfigurable(property.PropertyType))
            {
                errors.Add($"`{child.Path}` cannot come from configuration: {property.Name} is {Describe(property.PropertyType)}, set in code.");
                continue;
            }

            if (IsObject(property.PropertyType))
            {
                Check(property.PropertyType, child, what, null, errors);
            }
            else if (child.Value is null && !IsCollection(property.PropertyType))
            {
                errors.Add($"`{child.Path}` needs a value, not a section.");
            }
        }
    }

    private static List<PropertyInfo> Bindable(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)];

    private static bool IsConfigurable(Type type) =>
        !typeof(Delegate).IsAssignableFrom(type) && !(type.IsInterface && !IsCollection(type));

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsObject(Type type) =>
        type.IsClass && type != typeof(string) && !IsCollection(type) && !typeof(Delegate).IsAssignableFrom(type);

    private static string Describe(Type type) => typeof(Delegate).IsAssignableFrom(type) ? "a callback" : $"an object ({type.Name})";
}

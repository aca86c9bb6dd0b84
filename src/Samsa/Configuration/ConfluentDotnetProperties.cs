using System.Reflection;
using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>
/// The <c>dotnet.*</c> properties Confluent.Kafka handles itself (they never reach librdkafka), read by
/// reflection from the typed properties of the Confluent config classes that are loaded.
/// </summary>
internal static class ConfluentDotnetProperties
{
    private const string Prefix = "dotnet.";

    private static readonly Lazy<IReadOnlySet<string>> Producer = new(() => Collect(typeof(ProducerConfig)));
    private static readonly Lazy<IReadOnlySet<string>> Consumer = new(() => Collect(typeof(ConsumerConfig)));
    private static readonly Lazy<IReadOnlySet<string>> Admin = new(() => Collect(typeof(AdminClientConfig)));

    /// <summary>True for names in Confluent's own namespace.</summary>
    public static bool IsDotnetName(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The names a client of <paramref name="kind"/> understands; the shared map (<see cref="KafkaClientKinds.All"/>) accepts any of them.</summary>
    public static IReadOnlySet<string> For(KafkaClientKinds kind) => kind switch
    {
        KafkaClientKinds.Producer => Producer.Value,
        KafkaClientKinds.Consumer => Consumer.Value,
        KafkaClientKinds.Admin => Admin.Value,
        _ => Producer.Value.Concat(Consumer.Value).Concat(Admin.Value).ToHashSet(StringComparer.Ordinal),
    };

    private static HashSet<string> Collect(Type configType)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in configType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.GetIndexParameters().Length != 0)
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object? sample = type == typeof(string) ? "x"
                : type == typeof(bool) ? true
                : type == typeof(int) ? 1
                : type == typeof(double) ? 1.0
                : type.IsEnum ? Enum.GetValues(type).GetValue(0)
                : null;
            if (sample is null || Activator.CreateInstance(configType) is not ClientConfig config)
            {
                continue;
            }

            try
            {
                property.SetValue(config, sample);
            }
            catch (TargetInvocationException)
            {
                continue;
            }

            names.UnionWith(config.Select(pair => pair.Key).Where(IsDotnetName));
        }

        return names;
    }
}

using System.Globalization;
using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>
/// One typed Kafka setting: its option path, its environment variable, the librdkafka property it sets
/// (with that property's aliases), how to parse it from text and how to write it into a Confluent config.
/// The whole list (<see cref="KafkaSettingCatalog.All"/>) drives section binding, environment binding,
/// "did you mean" suggestions, client config building and the variable table.
/// </summary>
internal sealed class KafkaSetting
{
    /// <summary>Path below the <c>Kafka</c> section: <c>Producer:BatchSize</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The <c>KAFKA_*</c> variable.</summary>
    public required string EnvironmentVariable { get; init; }

    /// <summary>The librdkafka property Confluent.Kafka writes for it, or null for Samsa-only settings.</summary>
    public string? LibrdkafkaName { get; init; }

    /// <summary>Other librdkafka names of the same property (<c>delivery.timeout.ms</c> for <c>message.timeout.ms</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The clients it applies to.</summary>
    public KafkaClientKinds Clients { get; init; }

    /// <summary>Masked in every message and printout.</summary>
    public bool IsSecret { get; init; }

    /// <summary>What a valid value looks like, for messages.</summary>
    public required string Expected { get; init; }

    /// <summary>Reads the value; null when unset.</summary>
    public required Func<KafkaOptions, object?> Get { get; init; }

    /// <summary>Stores a parsed value.</summary>
    public required Action<KafkaOptions, object> Set { get; init; }

    /// <summary>Parses text (from the section, the environment or a raw property); null value means invalid.</summary>
    public required Func<string, (object? Value, string? Error)> Parse { get; init; }

    /// <summary>Writes the value into a Confluent config through its typed property.</summary>
    public Action<ClientConfig, object>? Apply { get; init; }

    /// <summary>Shows a value the way librdkafka spells it.</summary>
    public Func<object, string> Format { get; init; } = value => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>Property name: <c>BatchSize</c>.</summary>
    public string Name => Path[(Path.LastIndexOf(':') + 1)..];

    /// <summary>The group (<c>Producer</c>, <c>Consumer</c>) or empty for the root.</summary>
    public string Group => Path.Contains(':', StringComparison.Ordinal) ? Path[..Path.IndexOf(':', StringComparison.Ordinal)] : string.Empty;

    /// <summary>Full configuration key: <c>Kafka:Producer:BatchSize</c>.</summary>
    public string SectionKey => KafkaDefaults.SectionName + ":" + Path;

    /// <summary>The librdkafka name and its aliases.</summary>
    public IEnumerable<string> EquivalentNames => LibrdkafkaName is null ? [] : [LibrdkafkaName, .. Aliases];

    /// <summary>"`Kafka:Producer:BatchSize` (`KAFKA_PRODUCER_BATCH_SIZE`)".</summary>
    public string Describe() => $"`{SectionKey}` (`{EnvironmentVariable}`)";

    /// <summary>A value for messages, masked when secret.</summary>
    public string Show(object value) => IsSecret ? KafkaConfigurationPrinter.Mask : Format(value);

    /// <inheritdoc />
    public override string ToString() => Path;
}

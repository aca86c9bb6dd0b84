using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Samsa.Configuration;

/// <summary>
/// A <see cref="RangeAttribute"/> whose message names the configuration key, the environment variable,
/// the librdkafka property and the bad value: "`Kafka:Producer:BatchSize` (`KAFKA_PRODUCER_BATCH_SIZE`, `batch.size`) is -1; expected 1 to 2147483647."
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class KafkaRangeAttribute : RangeAttribute
{
    /// <summary>Creates the attribute for an integer range.</summary>
    public KafkaRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    /// <inheritdoc />
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is null || IsValid(value))
        {
            return ValidationResult.Success;
        }

        var member = validationContext.MemberName ?? validationContext.DisplayName;
        var group = validationContext.ObjectType == typeof(KafkaProducerOptions) ? "Producer"
            : validationContext.ObjectType == typeof(KafkaConsumerOptions) ? "Consumer"
            : string.Empty;
        var setting = KafkaSettingCatalog.All.FirstOrDefault(s => s.Group == group && s.Name == member);
        var name = setting is null
            ? $"`{member}`"
            : setting.LibrdkafkaName is null
                ? $"`{setting.SectionKey}` (`{setting.EnvironmentVariable}`)"
                : $"`{setting.SectionKey}` (`{setting.EnvironmentVariable}`, `{setting.LibrdkafkaName}`)";
        var shown = Convert.ToString(value, CultureInfo.InvariantCulture);
        return new ValidationResult(
            $"{name} is {shown}; expected {Convert.ToString(Minimum, CultureInfo.InvariantCulture)} to {Convert.ToString(Maximum, CultureInfo.InvariantCulture)}.",
            validationContext.MemberName is null ? null : [validationContext.MemberName]);
    }
}

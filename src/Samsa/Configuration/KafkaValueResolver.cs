using Confluent.Kafka;

namespace Samsa.Configuration;

/// <summary>Where an effective value comes from.</summary>
internal enum KafkaValueSource
{
    /// <summary>Nobody set it; librdkafka's default applies.</summary>
    Unset,

    /// <summary>A typed setting (section, variable or code).</summary>
    Explicit,

    /// <summary>A raw librdkafka property.</summary>
    Property,

    /// <summary>The profile's default.</summary>
    ProfileDefault,
}

/// <summary>An effective value, with where it came from.</summary>
internal readonly record struct KafkaResolvedValue(object? Value, KafkaValueSource Source, string Origin);

/// <summary>A raw property, with the key it was configured under.</summary>
internal readonly record struct KafkaRawProperty(string Key, string Name, string Value, KafkaClientKinds Map);

/// <summary>
/// Works out the value each client gets: an explicit typed setting wins, then a raw librdkafka property
/// (client map over the shared map), then the profile default, else librdkafka's own default.
/// </summary>
internal static class KafkaValueResolver
{
    /// <summary>The profile in force (Production when none was chosen, so unset options fail safe).</summary>
    public static KafkaProfile ProfileOf(KafkaOptions options) => options.Profile ?? KafkaProfile.Production;

    /// <summary>Raw properties reaching <paramref name="kind"/>: the shared map, then the client's own (which wins). <see cref="KafkaClientKinds.All"/> gives the shared map only.</summary>
    public static IReadOnlyList<KafkaRawProperty> RawProperties(KafkaOptions options, KafkaClientKinds kind)
    {
        var list = new List<KafkaRawProperty>();
        Add(list, options.Properties, $"{KafkaDefaults.SectionName}:{KafkaSettingCatalog.PropertiesKey}", KafkaClientKinds.All);
        switch (kind)
        {
            case KafkaClientKinds.Producer:
                Add(list, options.Producer.Properties, $"{KafkaDefaults.SectionName}:Producer:{KafkaSettingCatalog.PropertiesKey}", kind);
                break;
            case KafkaClientKinds.Consumer:
                Add(list, options.Consumer.Properties, $"{KafkaDefaults.SectionName}:Consumer:{KafkaSettingCatalog.PropertiesKey}", kind);
                break;
            case KafkaClientKinds.Admin:
                Add(list, options.Admin.Properties, $"{KafkaDefaults.SectionName}:Admin:{KafkaSettingCatalog.PropertiesKey}", kind);
                break;
            default:
                break;
        }

        return list;
    }

    /// <summary>Every raw property of every map.</summary>
    public static IEnumerable<KafkaRawProperty> AllRawProperties(KafkaOptions options) =>
        RawProperties(options, KafkaClientKinds.All)
            .Concat(RawProperties(options, KafkaClientKinds.Producer).Where(p => p.Map == KafkaClientKinds.Producer))
            .Concat(RawProperties(options, KafkaClientKinds.Consumer).Where(p => p.Map == KafkaClientKinds.Consumer))
            .Concat(RawProperties(options, KafkaClientKinds.Admin).Where(p => p.Map == KafkaClientKinds.Admin));

    /// <summary>The default a profile gives a setting, or null.</summary>
    public static object? ProfileDefault(KafkaSetting setting, KafkaProfile profile)
    {
        if (profile == KafkaProfile.Production)
        {
            return setting switch
            {
                _ when setting == KafkaSettingCatalog.SecurityProtocol => KafkaDefaults.Production.SecurityProtocol,
                _ when setting == KafkaSettingCatalog.SaslMechanism => KafkaDefaults.Production.SaslMechanism,
                _ when setting == KafkaSettingCatalog.Acks => KafkaDefaults.Production.Acks,
                _ when setting == KafkaSettingCatalog.EnableIdempotence => KafkaDefaults.Production.EnableIdempotence,
                _ when setting == KafkaSettingCatalog.CompressionType => KafkaDefaults.Production.CompressionType,
                _ when setting == KafkaSettingCatalog.BatchSize => KafkaDefaults.Production.BatchSize,
                _ when setting == KafkaSettingCatalog.LingerMs => KafkaDefaults.Production.LingerMs,
                _ when setting == KafkaSettingCatalog.DeliveryTimeoutMs => KafkaDefaults.Production.DeliveryTimeoutMs,
                _ when setting == KafkaSettingCatalog.AutoOffsetReset => KafkaDefaults.Production.AutoOffsetReset,
                _ => null,
            };
        }

        return setting switch
        {
            _ when setting == KafkaSettingCatalog.SecurityProtocol => KafkaDefaults.Development.SecurityProtocol,
            _ when setting == KafkaSettingCatalog.Acks => KafkaDefaults.Development.Acks,
            _ when setting == KafkaSettingCatalog.EnableIdempotence => KafkaDefaults.Development.EnableIdempotence,
            _ when setting == KafkaSettingCatalog.CompressionType => KafkaDefaults.Development.CompressionType,
            _ when setting == KafkaSettingCatalog.BatchSize => KafkaDefaults.Development.BatchSize,
            _ when setting == KafkaSettingCatalog.LingerMs => KafkaDefaults.Development.LingerMs,
            _ when setting == KafkaSettingCatalog.DeliveryTimeoutMs => KafkaDefaults.Development.DeliveryTimeoutMs,
            _ when setting == KafkaSettingCatalog.AutoOffsetReset => KafkaDefaults.Development.AutoOffsetReset,
            _ => null,
        };
    }

    /// <summary>The value <paramref name="setting"/> has for a client of <paramref name="kind"/>.</summary>
    public static KafkaResolvedValue Resolve(KafkaOptions options, KafkaSetting setting, KafkaClientKinds kind)
    {
        var explicitValue = setting.Get(options);
        if (explicitValue is not null)
        {
            return new(explicitValue, KafkaValueSource.Explicit, $"`{setting.SectionKey}`");
        }

        var raw = RawProperties(options, kind).LastOrDefault(p => setting.EquivalentNames.Contains(p.Name, StringComparer.Ordinal));
        if (raw.Key is not null)
        {
            // An unparsable raw value has no typed value; librdkafka's own check reports it.
            return new(setting.Parse(raw.Value).Value, KafkaValueSource.Property, $"`{raw.Key}`");
        }

        var profile = ProfileOf(options);
        var fallback = ProfileDefault(setting, profile);
        if (fallback is null)
        {
            return new(null, KafkaValueSource.Unset, "librdkafka's default");
        }

        if (setting == KafkaSettingCatalog.EnableIdempotence && fallback is true && Resolve(options, KafkaSettingCatalog.Acks, kind).Value is Acks acks && acks != Acks.All)
        {
            // Idempotence needs acks=all; an explicit weaker acks turns the default off instead of failing start-up.
            return new(null, KafkaValueSource.Unset, "librdkafka's default");
        }

        if (setting == KafkaSettingCatalog.SaslMechanism
            && Resolve(options, KafkaSettingCatalog.SecurityProtocol, kind).Value is SecurityProtocol protocol
            && protocol is not (SecurityProtocol.SaslSsl or SecurityProtocol.SaslPlaintext))
        {
            // The profile's mechanism goes with its SASL_SSL default; over a protocol without SASL it would only make librdkafka warn.
            return new(null, KafkaValueSource.Unset, "librdkafka's default");
        }

        return new(fallback, KafkaValueSource.ProfileDefault, $"the {profile} profile default");
    }

    private static void Add(List<KafkaRawProperty> list, IDictionary<string, string> map, string prefix, KafkaClientKinds kind)
    {
        foreach (var (name, value) in map)
        {
            list.Add(new KafkaRawProperty($"{prefix}:{name}", name, value, kind));
        }
    }
}

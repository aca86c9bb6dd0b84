using System.Globalization;
using Samsa.Broker.Storage;

namespace Samsa.Broker.Cluster;

/// <summary>
/// The effective configs of one topic: its own overrides over the broker's defaults over Kafka's
/// defaults. Immutable; altering configs makes a new instance.
/// </summary>
internal sealed class TopicConfig
{
    private readonly BrokerLevelConfigs _brokerDefaults;

    public TopicConfig(IReadOnlyDictionary<string, string> overrides, BrokerLevelConfigs brokerDefaults)
    {
        Overrides = new Dictionary<string, string>(overrides, StringComparer.Ordinal);
        _brokerDefaults = brokerDefaults;
        RetentionMs = GetLong(TopicConfigDefinitions.RetentionMs);
        RetentionBytes = GetLong(TopicConfigDefinitions.RetentionBytes);
        SegmentBytes = (int)GetLong(TopicConfigDefinitions.SegmentBytes);
        SegmentMs = GetLong(TopicConfigDefinitions.SegmentMs);
        MaxMessageBytes = (int)GetLong(TopicConfigDefinitions.MaxMessageBytes);
        MinInsyncReplicas = (int)GetLong(TopicConfigDefinitions.MinInsyncReplicas);
        FlushMessages = GetLong(TopicConfigDefinitions.FlushMessages);
        FlushMs = GetLong(TopicConfigDefinitions.FlushMs);
        IndexIntervalBytes = (int)GetLong(TopicConfigDefinitions.IndexIntervalBytes);
        LogAppendTime = Get(TopicConfigDefinitions.MessageTimestampType) == "LogAppendTime";

        // As Kafka during the deprecation of difference.max.ms: it still bounds both sides unless
        // the newer before/after setting is changed from its default.
        var difference = GetLong(TopicConfigDefinitions.MessageTimestampDifferenceMaxMs);
        var before = GetLong(TopicConfigDefinitions.MessageTimestampBeforeMaxMs);
        var after = GetLong(TopicConfigDefinitions.MessageTimestampAfterMaxMs);
        MessageTimestampBeforeMaxMs = before != long.MaxValue ? before : difference;
        MessageTimestampAfterMaxMs = after != long.MaxValue ? after : difference;
        CleanupPolicy = Get(TopicConfigDefinitions.CleanupPolicy);
        var policies = CleanupPolicy.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        IsCompacted = policies.Contains("compact", StringComparer.Ordinal);
        IsDeleted = policies.Contains("delete", StringComparer.Ordinal);
        DeleteRetentionMs = GetLong(TopicConfigDefinitions.DeleteRetentionMs);
        MinCompactionLagMs = GetLong(TopicConfigDefinitions.MinCompactionLagMs);
        MinCleanableDirtyRatio = GetDouble(TopicConfigDefinitions.MinCleanableDirtyRatio);
        LogConfig = new()
        {
            SegmentBytes = SegmentBytes,
            SegmentMs = SegmentMs,
            RetentionMs = RetentionMs,
            RetentionBytes = RetentionBytes,
            IndexIntervalBytes = IndexIntervalBytes,
            FlushMessages = FlushMessages,
            FlushMs = FlushMs,
            LogAppendTime = LogAppendTime,
            MaxMessageBytes = MaxMessageBytes,
            MinInsyncReplicas = MinInsyncReplicas,
            MessageTimestampBeforeMaxMs = MessageTimestampBeforeMaxMs,
            MessageTimestampAfterMaxMs = MessageTimestampAfterMaxMs,
            Delete = IsDeleted,
            Compact = IsCompacted,
            DeleteRetentionMs = DeleteRetentionMs,
            MinCompactionLagMs = MinCompactionLagMs,
            MinCleanableDirtyRatio = MinCleanableDirtyRatio,
        };
    }

    /// <summary>
    /// The settings this topic's partitions and their logs follow (Replication and Storage read only
    /// these, never the topic config): the one place topic configs become log configs.
    /// </summary>
    public LogConfig LogConfig { get; }

    /// <summary>Configs set on the topic itself.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    public long RetentionMs { get; }

    public long RetentionBytes { get; }

    public int SegmentBytes { get; }

    public long SegmentMs { get; }

    public int MaxMessageBytes { get; }

    public int MinInsyncReplicas { get; }

    public long FlushMessages { get; }

    public long FlushMs { get; }

    public int IndexIntervalBytes { get; }

    public bool LogAppendTime { get; }

    /// <summary>How far before the broker's clock a CreateTime record's timestamp may be.</summary>
    public long MessageTimestampBeforeMaxMs { get; }

    /// <summary>How far after the broker's clock a CreateTime record's timestamp may be.</summary>
    public long MessageTimestampAfterMaxMs { get; }

    /// <summary>Whether produced records must be decoded to check their timestamps.</summary>
    public bool BoundsTimestamps => !LogAppendTime && (MessageTimestampBeforeMaxMs != long.MaxValue || MessageTimestampAfterMaxMs != long.MaxValue);

    public string CleanupPolicy { get; }

    /// <summary><c>cleanup.policy</c> holds <c>compact</c>: the log is compacted, and records must have keys.</summary>
    public bool IsCompacted { get; }

    /// <summary><c>cleanup.policy</c> holds <c>delete</c>: retention by time and size applies.</summary>
    public bool IsDeleted { get; }

    public long DeleteRetentionMs { get; }

    public long MinCompactionLagMs { get; }

    public double MinCleanableDirtyRatio { get; }

    /// <summary>The effective value and where it came from.</summary>
    public (string Value, ConfigSource Source) Resolve(TopicConfigDefinition definition)
    {
        if (Overrides.TryGetValue(definition.Name, out var own))
        {
            return (own, ConfigSource.DynamicTopicConfig);
        }

        if (definition.BrokerSynonym is not null && _brokerDefaults.TryGet(definition.BrokerSynonym, out var broker, out var source))
        {
            return (broker, source);
        }

        if (_brokerDefaults.Static.TryGetValue(definition.Name, out var byTopicName))
        {
            return (byTopicName, ConfigSource.StaticBrokerConfig);
        }

        return (definition.Default, ConfigSource.DefaultConfig);
    }

    public string Get(string name) =>
        TopicConfigDefinitions.TryGet(name, out var definition) ? Resolve(definition).Value : Overrides.GetValueOrDefault(name, string.Empty);

    private long GetLong(string name)
    {
        var text = Get(name);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : long.Parse(TopicConfigDefinitions.TryGet(name, out var d) ? d.Default : "0", CultureInfo.InvariantCulture);
    }

    private double GetDouble(string name)
    {
        var text = Get(name);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : double.Parse(TopicConfigDefinitions.TryGet(name, out var d) ? d.Default : "0", CultureInfo.InvariantCulture);
    }

    public TopicConfig With(IReadOnlyDictionary<string, string> overrides) => new(overrides, _brokerDefaults);

    /// <summary>The same overrides over new broker defaults (a dynamic broker config changed).</summary>
    public TopicConfig With(BrokerLevelConfigs brokerDefaults) => new(Overrides, brokerDefaults);
}

using Confluent.Kafka;

namespace Samsa.Diagnostics;

/// <summary>
/// Attaches <see cref="ClientStatisticsMetrics"/> to a client builder when its config turns statistics on
/// (<c>statistics.interval.ms</c> above 0), and does nothing otherwise, so statistics cost nothing unless asked for.
/// </summary>
internal static class ClientStatisticsHandlers
{
    public static ProducerBuilder<TKey, TValue> WithStatistics<TKey, TValue>(
        this ProducerBuilder<TKey, TValue> builder, ClientConfig config, ClientStatisticsMetrics? sink) =>
        Interval(config, sink) is { } interval ? builder.SetStatisticsHandler((_, json) => sink!.Record(json, interval)) : builder;

    public static ConsumerBuilder<TKey, TValue> WithStatistics<TKey, TValue>(
        this ConsumerBuilder<TKey, TValue> builder, ClientConfig config, ClientStatisticsMetrics? sink) =>
        Interval(config, sink) is { } interval ? builder.SetStatisticsHandler((_, json) => sink!.Record(json, interval)) : builder;

    private static TimeSpan? Interval(ClientConfig config, ClientStatisticsMetrics? sink) =>
        sink is not null && config.StatisticsIntervalMs is > 0 and var ms ? TimeSpan.FromMilliseconds(ms) : null;
}

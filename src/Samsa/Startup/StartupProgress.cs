using System.Collections.Concurrent;

namespace Samsa.Startup;

/// <summary>Which check is running where, so a start-up that runs out of time can say what it was waiting for.</summary>
internal sealed class StartupProgress
{
    private readonly ConcurrentDictionary<string, KafkaStartupCheck> _brokers = new(StringComparer.Ordinal);
    private (KafkaStartupCheck Check, string Target)? _cluster;

    /// <summary>The check now running against <paramref name="broker"/>.</summary>
    public void Broker(string broker, KafkaStartupCheck check) => _brokers[broker] = check;

    /// <summary>Every check of <paramref name="broker"/> is done.</summary>
    public void BrokerDone(string broker) => _brokers.TryRemove(broker, out _);

    /// <summary>A check of the cluster as a whole is now running.</summary>
    public void Cluster(KafkaStartupCheck check, string target) => _cluster = (check, target);

    /// <summary>The earliest check still running (per-broker checks first).</summary>
    public KafkaStartupCheck? Current =>
        _brokers.IsEmpty ? _cluster?.Check : _brokers.Values.Min();

    /// <summary>"TCP connect to `a:9092`, TLS handshake with `b:9093`" or "cluster metadata (bootstrap `a:9092`)".</summary>
    public string Describe()
    {
        if (!_brokers.IsEmpty)
        {
            return string.Join(", ", _brokers.OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => $"{KafkaStartupChecks.Describe(pair.Value)} with broker `{pair.Key}`"));
        }

        return _cluster is { } cluster ? $"{KafkaStartupChecks.Describe(cluster.Check)} ({cluster.Target})" : "reading the configuration";
    }
}

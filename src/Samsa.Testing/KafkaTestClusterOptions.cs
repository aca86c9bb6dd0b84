using Microsoft.Extensions.Logging;
using Samsa.Broker;

namespace Samsa.Testing;

/// <summary>Settings of a <see cref="KafkaTestCluster"/>; the defaults give one in-memory node with plaintext listeners.</summary>
public sealed class KafkaTestClusterOptions
{
    /// <summary>Nodes (brokers) in the cluster, each on its own free loopback port. Default 1.</summary>
    public int Nodes { get; set; } = 1;

    /// <summary>Where data lives; <see cref="KafkaTestStorage.Memory"/> by default.</summary>
    public KafkaTestStorage Storage { get; set; } = KafkaTestStorage.Memory;

    /// <summary>The data directory for <see cref="KafkaTestStorage.Disk"/>; null makes a temporary one that is deleted on dispose.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>How clients connect; <see cref="KafkaTestSecurity.Plaintext"/> by default.</summary>
    public KafkaTestSecurity Security { get; set; } = KafkaTestSecurity.Plaintext;

    /// <summary>The SASL mechanism when <see cref="Security"/> uses SASL; SCRAM-SHA-512 by default.</summary>
    public KafkaTestSaslMechanism SaslMechanism { get; set; } = KafkaTestSaslMechanism.ScramSha512;

    /// <summary>The SASL user clients log in as.</summary>
    public string SaslUsername { get; set; } = "test-user";

    /// <summary>The SASL user's password.</summary>
    public string SaslPassword { get; set; } = "test-password";

    /// <summary>
    /// Kafka's <c>auto.create.topics.enable</c>: true by default, as in Apache Kafka, so a producer can
    /// write to a topic no test created. Set false to see UNKNOWN_TOPIC_OR_PARTITION instead.
    /// </summary>
    public bool AutoCreateTopics { get; set; } = true;

    /// <summary>Partitions of auto-created topics and of topics created without a count. Default 1.</summary>
    public int DefaultPartitions { get; set; } = 1;

    /// <summary>Topics created at start: name to partition count.</summary>
    public Dictionary<string, int> Topics { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Kafka's <c>group.initial.rebalance.delay.ms</c>; zero by default so a test's consumer gets its
    /// partitions at once (Kafka waits 3 s for more members).
    /// </summary>
    public TimeSpan GroupInitialRebalanceDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Keep a log of the requests served (<see cref="KafkaTestCluster.Requests"/>). On by default.</summary>
    public bool LogRequests { get; set; } = true;

    /// <summary>The most requests the log keeps; older ones are dropped. Default 100 000.</summary>
    public int RequestLogCapacity { get; set; } = 100_000;

    /// <summary>The cluster's clock (timestamps, timeouts, retention, fault durations).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the broker logs; nowhere by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Changes any other broker setting after these options are applied (topic config defaults, session timeouts ...).</summary>
    public Action<BrokerOptions>? ConfigureBroker { get; set; }
}

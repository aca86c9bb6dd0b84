using Confluent.Kafka;
using Samsa.Consuming.Retry;

namespace Samsa.Consuming;

/// <summary>
/// Settings of one consumer registration (<c>AddConsumer&lt;THandler, TEvent&gt;(topic, group, options =&gt; …)</c>). The
/// connection and the librdkafka consumer settings come from <c>KafkaOptions</c>; these say how records are handled.
/// </summary>
public sealed class ConsumerOptions
{
    /// <summary>The source topic (set by <c>AddConsumer</c>).</summary>
    public string Topic { get; set; } = string.Empty;

    /// <summary>The consumer group (set by <c>AddConsumer</c>); it wins over <c>Kafka:Consumer:GroupId</c>.</summary>
    public string GroupId { get; set; } = string.Empty;

    /// <summary>Records fetched and not yet handled at which a partition is paused. Default <see cref="ConsumerDefaults.MaxInFlightPerPartition"/>.</summary>
    public int MaxInFlightPerPartition { get; set; } = ConsumerDefaults.MaxInFlightPerPartition;

    /// <summary>
    /// How many records of one partition are handled at once. Records with the same key never overlap and run in offset
    /// order; records without a key count as one key. The committed offset never passes a record that is not finished.
    /// Default <see cref="ConsumerDefaults.MaxConcurrencyPerPartition"/> (one after another). Refused with
    /// <see cref="ExactlyOnce"/> and for batch consumers. See docs/consumers/handlers.md.
    /// </summary>
    public int MaxConcurrencyPerPartition { get; set; } = ConsumerDefaults.MaxConcurrencyPerPartition;

    /// <summary>Batch consumers (<c>AddBatchConsumer</c>): the most records of one partition in a batch. Default <see cref="ConsumerDefaults.MaxBatchSize"/>.</summary>
    public int MaxBatchSize { get; set; } = ConsumerDefaults.MaxBatchSize;

    /// <summary>
    /// Batch consumers: how long a batch that is not full waits for more records after its first one arrived; then it
    /// is handed over with what it has. Default <see cref="ConsumerDefaults.MaxBatchWait"/>.
    /// </summary>
    public TimeSpan MaxBatchWait { get; set; } = ConsumerDefaults.MaxBatchWait;

    /// <summary>How often handled offsets are committed. Default <see cref="ConsumerDefaults.CommitInterval"/>.</summary>
    public TimeSpan CommitInterval { get; set; } = ConsumerDefaults.CommitInterval;

    /// <summary>How long shutdown waits for handler calls in progress before cancelling them. Default <see cref="ConsumerDefaults.ShutdownTimeout"/>.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = ConsumerDefaults.ShutdownTimeout;

    /// <summary>How long a revoke waits for handler calls in progress on the revoked partitions. Default <see cref="ConsumerDefaults.RevokeTimeout"/>.</summary>
    public TimeSpan RevokeTimeout { get; set; } = ConsumerDefaults.RevokeTimeout;

    /// <summary><c>partition.assignment.strategy</c>. Default <see cref="ConsumerDefaults.AssignmentStrategy"/> (cooperative-sticky).</summary>
    public PartitionAssignmentStrategy AssignmentStrategy { get; set; } = ConsumerDefaults.AssignmentStrategy;

    /// <summary>How transient failures are retried: in place, then through retry topics.</summary>
    public RetryPolicy Retry { get; set; } = new();

    /// <summary>Which exceptions are transient, permanent or a dependency being down.</summary>
    public FailureClassifier Classifier { get; set; } = new();

    /// <summary>The dead-letter topic. Null: <c>&lt;topic&gt;.dlq</c> (<see cref="RetryTopicNames.DeadLetter"/>).</summary>
    public string? DeadLetterTopic { get; set; }

    /// <summary>
    /// Says whether a dependency that was down is back (<see cref="FailureKind.DependencyDown"/>). Called every
    /// <see cref="DependencyProbeInterval"/> while the partition is paused; the record is tried again once it returns
    /// true. Null: the record itself is tried again every interval.
    /// </summary>
    public Func<IServiceProvider, CancellationToken, ValueTask<bool>>? DependencyProbe { get; set; }

    /// <summary>How often <see cref="DependencyProbe"/> runs. Default <see cref="ConsumerDefaults.DependencyProbeInterval"/>.</summary>
    public TimeSpan DependencyProbeInterval { get; set; } = ConsumerDefaults.DependencyProbeInterval;

    /// <summary>Turns record values into events. Null: System.Text.Json with web defaults (a <c>byte[]</c> event gets the value as is).</summary>
    public IEventDeserializer? Deserializer { get; set; }

    /// <summary>
    /// Exactly-once mode: each batch of handled records, what their handlers published through
    /// <see cref="ConsumeContext.Publish{TEvent}"/> and <see cref="ConsumeContext.Produce(string, Message{byte[], byte[]})"/>,
    /// their dead letters and retries, and their offsets are committed in one Kafka transaction, with the offsets sent
    /// through the consumer's group metadata so that a member fenced by a rebalance cannot commit. Readers of the
    /// outputs must read committed. After an abort the handler runs again for the rewound records, so side effects
    /// other than those outputs are at least once. The transactional id derives from <see cref="InstanceId"/>. Needs
    /// brokers with transactions. Default false: at least once (the same handler works in both modes). See
    /// docs/consumers/exactly-once.md.
    /// </summary>
    public bool ExactlyOnce { get; set; }

    /// <summary>
    /// Exactly-once mode: the producer's <c>transactional.id</c>. Null (the usual choice):
    /// <c>samsa-&lt;group&gt;-&lt;topic&gt;-&lt;instance id&gt;</c> from <see cref="InstanceId"/>, the same after a restart, so
    /// that the restarted instance fences its predecessor and aborts its open transaction at once instead of after
    /// <c>transaction.timeout.ms</c>, during which read_committed readers of its outputs wait. Two running instances
    /// must never share one: the older is fenced and stops.
    /// </summary>
    public string? TransactionalId { get; set; }

    /// <summary>
    /// The stable name of this instance of the service, from which <see cref="TransactionalId"/> and, with
    /// <see cref="StaticMembership"/>, <c>group.instance.id</c> derive. Null: the host's name (<c>HOSTNAME</c>, which
    /// Kubernetes sets to the pod name; then <c>POD_NAME</c>, <c>COMPUTERNAME</c>, the machine name). Give each instance
    /// its own, and keep it across restarts (a StatefulSet's pod names are): two processes with the same id on one
    /// machine fence each other.
    /// </summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// Static group membership (KIP-345): the consumer joins with <c>group.instance.id</c> =
    /// <c>&lt;instance id&gt;-&lt;topic&gt;</c>, so a restart within <c>session.timeout.ms</c> gets its partitions back without
    /// a rebalance, and a stop does not leave the group (its partitions move only when the session times out).
    /// Default false.
    /// </summary>
    public bool StaticMembership { get; set; }

    /// <summary>Exactly-once mode: a transaction is committed once it holds this many records, or every <see cref="CommitInterval"/>. Default <see cref="ConsumerDefaults.MaxRecordsPerTransaction"/>.</summary>
    public int MaxRecordsPerTransaction { get; set; } = ConsumerDefaults.MaxRecordsPerTransaction;

    /// <summary>Leaves the retry, dead-letter and replay-ledger topics out of provisioning (they must then exist).</summary>
    public bool DisableTopicProvisioning { get; set; }

    /// <summary>Leaves out this consumer's health check.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Leaves out the <c>samsa.consume.*</c> instruments.</summary>
    public bool DisableMetrics { get; set; }

    /// <summary>Leaves out the <c>process {topic}</c> spans. Without a listener they cost nothing either way.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>
    /// Whether a <c>process {topic}</c> span is the child of the producer's span (one trace, the default) or starts its
    /// own trace with a link to it. It links to the producer's span either way.
    /// </summary>
    public Diagnostics.ProcessSpanParent ProcessSpanParent { get; set; } = Diagnostics.ProcessSpanParent.Child;

    /// <summary>Last changes to the consumer configuration after Samsa built it (tests, rare tuning).</summary>
    public Action<ConsumerConfig>? ConfigureConsumer { get; set; }

    /// <summary>Last changes to the configuration of the producer that writes retries and dead letters (in exactly-once mode, the transactional producer).</summary>
    public Action<ProducerConfig>? ConfigureProducer { get; set; }

    /// <summary>The first wait before a failed dead-letter or retry write is tried again; it doubles up to <see cref="ForwardMaxBackoff"/>.</summary>
    internal TimeSpan ForwardBackoff { get; set; } = ConsumerDefaults.DeadLetterBackoff;

    /// <summary>The longest wait between attempts to write a dead letter or retry copy.</summary>
    internal TimeSpan ForwardMaxBackoff { get; set; } = ConsumerDefaults.DeadLetterMaxBackoff;

    /// <summary>True for a consumer registered with <c>AddBatchConsumer</c> (set by the registration, not by configuration).</summary>
    internal bool IsBatchConsumer { get; set; }

    /// <summary>The section below <c>Kafka</c> whose child named after the topic configures its consumers: <c>Kafka:Consumers:orders</c>.</summary>
    internal const string SectionKey = "Consumers";

    /// <summary>What <c>Kafka:Consumers:&lt;topic&gt;</c> could not bind, reported by <see cref="ConsumerOptionsValidator"/>.</summary>
    internal List<string> ConfigurationErrors { get; } = [];

    internal string EffectiveDeadLetterTopic => DeadLetterTopic ?? RetryTopicNames.DeadLetter(Topic);

    /// <summary>The retry topics in force, level 1 first.</summary>
    internal IReadOnlyList<string> RetryTopics => [.. Enumerable.Range(1, Retry.RetryTopicDelays.Count).Select(level => RetryTopicNames.Retry(Topic, level))];
}

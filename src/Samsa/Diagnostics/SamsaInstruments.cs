namespace Samsa.Diagnostics;

/// <summary>
/// Every instrument Samsa records on the meter <see cref="SamsaNames.MeterName"/>: its name, kind, unit and the
/// attributes it may carry. The messaging ones follow the OpenTelemetry semantic conventions for messaging
/// (<c>messaging.*</c>, <c>error.type</c>); the rest are Samsa's own, under <c>samsa.</c>. A test checks this list
/// against what is emitted, and another checks the alert rules and dashboard under <c>docs/monitoring/</c> against it.
/// </summary>
/// <remarks>
/// A Prometheus exporter turns a name into <c>name_with_underscores</c>, adds the unit for <c>s</c>
/// (<c>_seconds</c>) and <c>_total</c> for counters; units in braces (<c>{message}</c>) add nothing.
/// </remarks>
public static class SamsaInstruments
{
    /// <summary>Messages the producer tried to send, counted when Kafka answered (with <c>error.type</c> when it failed).</summary>
    public const string SentMessages = "messaging.client.sent.messages";

    /// <summary>Time from a publish to Kafka's acknowledgement or failure.</summary>
    public const string OperationDuration = "messaging.client.operation.duration";

    /// <summary>Records delivered to the consumer's pipeline, once per delivery.</summary>
    public const string ConsumedMessages = "messaging.client.consumed.messages";

    /// <summary>Time one handler call took (with <c>error.type</c> when it threw).</summary>
    public const string ProcessDuration = "messaging.process.duration";

    /// <summary>Handler calls that threw, by failure kind.</summary>
    public const string ConsumeFailures = "samsa.consume.failures";

    /// <summary>Records written to the dead-letter topic, by reason.</summary>
    public const string DeadLetters = "samsa.consume.dead_letters";

    /// <summary>Records forwarded to a retry topic, by level.</summary>
    public const string RetryForwards = "samsa.consume.retry_forwards";

    /// <summary>Records in the partitions a consumer holds that it has not handled yet (its own view).</summary>
    public const string ConsumerLag = "samsa.consume.lag";

    /// <summary>Partitions that make no progress because a dead letter or retry copy cannot be written.</summary>
    public const string BlockedPartitions = "samsa.consume.blocked_partitions";

    /// <summary>Messages handed to the producer and not yet acknowledged or failed.</summary>
    public const string UnacknowledgedMessages = "samsa.publish.unacknowledged";

    /// <summary>Age of the oldest message handed to the producer and not yet acknowledged or failed (0 when none).</summary>
    public const string OldestUnacknowledgedAge = "samsa.publish.unacknowledged.oldest_age";

    /// <summary>A group's lag per partition as the brokers see it: log-end offset minus committed offset.</summary>
    public const string ConsumerGroupLag = "samsa.consumer_group.lag";

    /// <summary>A group's time lag per partition: age of the record at its committed offset (0 when caught up).</summary>
    public const string ConsumerGroupTimeLag = "samsa.consumer_group.time_lag";

    /// <summary>1 for a partition whose group is stuck (lag and no progress for the configured readings, or no members), else 0.</summary>
    public const string ConsumerGroupStuck = "samsa.consumer_group.stuck";

    /// <summary>Each Samsa health check's latest status: 2 Healthy, 1 Degraded, 0 Unhealthy (the values of <c>HealthStatus</c>).</summary>
    public const string HealthStatus = "samsa.health.status";

    /// <summary>A client's average request round trip to a broker (librdkafka statistics; only when <c>StatisticsIntervalMs</c> is set).</summary>
    public const string BrokerRoundTrip = "samsa.client.broker.rtt";

    /// <summary>Requests a client has queued for a broker and not yet sent (librdkafka statistics).</summary>
    public const string BrokerRequestsWaiting = "samsa.client.broker.requests.waiting";

    /// <summary>Requests a client has sent to a broker and awaits responses to (librdkafka statistics).</summary>
    public const string BrokerRequestsInFlight = "samsa.client.broker.requests.in_flight";

    /// <summary>A client's errors talking to a broker since it started, by <see cref="Attributes.ClientErrorKind"/> (librdkafka statistics).</summary>
    public const string BrokerErrors = "samsa.client.broker.errors";

    /// <summary>Messages in a producer's queue, not yet sent or acknowledged (librdkafka statistics).</summary>
    public const string ProducerQueuedMessages = "samsa.client.producer.queued";

    /// <summary>A consumer's assigned partitions by <see cref="Attributes.FetchState"/> (librdkafka statistics).</summary>
    public const string ConsumerPartitions = "samsa.client.consumer.partitions";

    /// <summary>Every instrument, in one list.</summary>
    public static IReadOnlyList<SamsaInstrument> All { get; } =
    [
        new(SentMessages, SamsaInstrumentKind.ObservableCounter, "{message}",
            [Attributes.System, Attributes.OperationName, Attributes.DestinationName, Attributes.PartitionId, Attributes.ErrorType]),
        new(OperationDuration, SamsaInstrumentKind.Histogram, "s",
            [Attributes.System, Attributes.OperationName, Attributes.OperationType, Attributes.DestinationName, Attributes.PartitionId, Attributes.ErrorType]),
        new(ConsumedMessages, SamsaInstrumentKind.ObservableCounter, "{message}",
            [Attributes.System, Attributes.OperationName, Attributes.DestinationName, Attributes.ConsumerGroup, Attributes.PartitionId]),
        new(ProcessDuration, SamsaInstrumentKind.Histogram, "s",
            [Attributes.System, Attributes.OperationName, Attributes.DestinationName, Attributes.ConsumerGroup, Attributes.PartitionId, Attributes.ErrorType]),
        new(ConsumeFailures, SamsaInstrumentKind.Counter, "{call}",
            [Attributes.DestinationName, Attributes.ConsumerGroup, Attributes.FailureKind]),
        new(DeadLetters, SamsaInstrumentKind.Counter, "{record}",
            [Attributes.DestinationName, Attributes.ConsumerGroup, Attributes.DeadLetterReason]),
        new(RetryForwards, SamsaInstrumentKind.Counter, "{record}",
            [Attributes.DestinationName, Attributes.ConsumerGroup, Attributes.RetryLevel]),
        new(ConsumerLag, SamsaInstrumentKind.Gauge, "{record}",
            [Attributes.DestinationName, Attributes.ConsumerGroup]),
        new(BlockedPartitions, SamsaInstrumentKind.Gauge, "{partition}",
            [Attributes.DestinationName, Attributes.ConsumerGroup]),
        new(UnacknowledgedMessages, SamsaInstrumentKind.Gauge, "{message}", []),
        new(OldestUnacknowledgedAge, SamsaInstrumentKind.Gauge, "s", []),
        new(ConsumerGroupLag, SamsaInstrumentKind.Gauge, "{record}",
            [Attributes.ConsumerGroup, Attributes.DestinationName, Attributes.PartitionId]),
        new(ConsumerGroupTimeLag, SamsaInstrumentKind.Gauge, "s",
            [Attributes.ConsumerGroup, Attributes.DestinationName, Attributes.PartitionId]),
        new(ConsumerGroupStuck, SamsaInstrumentKind.Gauge, "{partition}",
            [Attributes.ConsumerGroup, Attributes.DestinationName, Attributes.PartitionId]),
        new(HealthStatus, SamsaInstrumentKind.Gauge, "{status}", [Attributes.HealthCheck]),
        new(BrokerRoundTrip, SamsaInstrumentKind.Gauge, "s", BrokerAttributes),
        new(BrokerRequestsWaiting, SamsaInstrumentKind.Gauge, "{request}", BrokerAttributes),
        new(BrokerRequestsInFlight, SamsaInstrumentKind.Gauge, "{request}", BrokerAttributes),
        new(BrokerErrors, SamsaInstrumentKind.ObservableCounter, "{error}", [.. BrokerAttributes, Attributes.ClientErrorKind]),
        new(ProducerQueuedMessages, SamsaInstrumentKind.Gauge, "{message}", [Attributes.ClientName, Attributes.ClientType]),
        new(ConsumerPartitions, SamsaInstrumentKind.Gauge, "{partition}",
            [Attributes.ClientName, Attributes.ClientType, Attributes.DestinationName, Attributes.FetchState]),
    ];

    private static string[] BrokerAttributes =>
        [Attributes.ClientName, Attributes.ClientType, Attributes.ServerAddress, Attributes.ServerPort, Attributes.BrokerId];

    /// <summary>The attribute (tag) names the instruments and spans use.</summary>
    public static class Attributes
    {
        /// <summary><c>messaging.system</c>, always <see cref="Kafka"/>.</summary>
        public const string System = "messaging.system";

        /// <summary><c>messaging.operation.name</c>: <c>send</c> or <c>process</c>.</summary>
        public const string OperationName = "messaging.operation.name";

        /// <summary><c>messaging.operation.type</c>: <c>send</c> or <c>process</c>.</summary>
        public const string OperationType = "messaging.operation.type";

        /// <summary><c>messaging.destination.name</c>: the topic.</summary>
        public const string DestinationName = "messaging.destination.name";

        /// <summary><c>messaging.destination.partition.id</c>: the partition, as a string.</summary>
        public const string PartitionId = "messaging.destination.partition.id";

        /// <summary><c>messaging.consumer.group.name</c>: the consumer group.</summary>
        public const string ConsumerGroup = "messaging.consumer.group.name";

        /// <summary><c>error.type</c>: the Kafka error code name, or the exception's type name; only on failures.</summary>
        public const string ErrorType = "error.type";

        /// <summary><c>samsa.failure.kind</c>: <c>transient</c>, <c>permanent</c>, <c>dependency_down</c> or <c>fatal</c>.</summary>
        public const string FailureKind = "samsa.failure.kind";

        /// <summary><c>samsa.dead_letter.reason</c>: why the record was dead-lettered.</summary>
        public const string DeadLetterReason = "samsa.dead_letter.reason";

        /// <summary><c>samsa.retry.level</c>: the retry topic's level (1 for the first).</summary>
        public const string RetryLevel = "samsa.retry.level";

        /// <summary><c>samsa.health.check</c>: the health check's registration name.</summary>
        public const string HealthCheck = "samsa.health.check";

        /// <summary><c>samsa.client.name</c>: the librdkafka client's instance name (<c>rdkafka#producer-1</c>), unique in the process.</summary>
        public const string ClientName = "samsa.client.name";

        /// <summary><c>samsa.client.type</c>: <c>producer</c> or <c>consumer</c>.</summary>
        public const string ClientType = "samsa.client.type";

        /// <summary><c>server.address</c>: the broker's host.</summary>
        public const string ServerAddress = "server.address";

        /// <summary><c>server.port</c>: the broker's port.</summary>
        public const string ServerPort = "server.port";

        /// <summary><c>samsa.broker.id</c>: the broker's node id.</summary>
        public const string BrokerId = "samsa.broker.id";

        /// <summary><c>samsa.client.error.kind</c>: <c>transmit</c>, <c>receive</c> or <c>request_timeout</c>.</summary>
        public const string ClientErrorKind = "samsa.client.error.kind";

        /// <summary><c>samsa.fetch.state</c>: librdkafka's fetch state of a partition (<c>active</c> when fetching).</summary>
        public const string FetchState = "samsa.fetch.state";

        /// <summary>The value of <see cref="System"/>.</summary>
        public const string Kafka = "kafka";
    }
}

/// <summary>One instrument of <see cref="SamsaInstruments.All"/>.</summary>
/// <param name="Name">Its name on the meter.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Unit">Its UCUM unit.</param>
/// <param name="Attributes">Every attribute a measurement may carry (optional ones included).</param>
public sealed record SamsaInstrument(string Name, SamsaInstrumentKind Kind, string Unit, IReadOnlyList<string> Attributes);

/// <summary>The kinds of <see cref="SamsaInstrument"/>.</summary>
public enum SamsaInstrumentKind
{
    /// <summary>A monotonic counter (<c>Counter&lt;long&gt;</c>).</summary>
    Counter,

    /// <summary>A histogram (<c>Histogram&lt;double&gt;</c>).</summary>
    Histogram,

    /// <summary>An observable gauge, read when collected.</summary>
    Gauge,

    /// <summary>An observable monotonic counter, read when collected (a running total someone else keeps).</summary>
    ObservableCounter,
}

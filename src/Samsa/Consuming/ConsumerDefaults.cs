using Confluent.Kafka;

namespace Samsa.Consuming;

/// <summary>Defaults and limits of <see cref="ConsumerOptions"/> and of the consumer's librdkafka settings, in one place.</summary>
public static class ConsumerDefaults
{
    /// <summary>
    /// Records fetched but not yet handled, per partition, at which the poll thread waits (up to
    /// <see cref="BackpressureWait"/>) for half of them to be handled, and pauses the partition if they are not: 1000. A
    /// paused partition resumes when half of them are handled. Bounds memory and lets librdkafka's prefetch serve other partitions.
    /// </summary>
    public const int MaxInFlightPerPartition = 1_000;

    /// <summary>Records of one partition handled at once, order kept per key: 1 (one after another in offset order).</summary>
    public const int MaxConcurrencyPerPartition = 1;

    /// <summary>Batch consumers: the most records in one batch: 100.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>Batch consumers: how long a batch that is not full waits for more records after its first: 50 ms.</summary>
    public static readonly TimeSpan MaxBatchWait = TimeSpan.FromMilliseconds(50);

    /// <summary>Handled offsets are committed this often (and on revoke and shutdown): 1 s.</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Exactly-once mode: records per transaction at which it is committed before <see cref="CommitInterval"/>: 10,000.
    /// Bounds what an abort throws away and how long read_committed readers of the outputs wait; a commit pauses every
    /// handler for its round trips, so the bound is set high enough that those pauses stay a small share of the time
    /// (at 1,000 a no-op handler ran at about half the at-least-once rate).
    /// </summary>
    public const int MaxRecordsPerTransaction = 10_000;

    /// <summary>Exactly-once mode: how long InitTransactions, SendOffsetsToTransaction, commit and abort may take: 30 s.</summary>
    public static readonly TimeSpan TransactionOperationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>On shutdown, the handler calls in progress get this long to finish before they are cancelled: 10 s.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>On a revoke, the handler calls in progress on the revoked partitions get this long to finish: 5 s.</summary>
    public static readonly TimeSpan RevokeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Cooperative-sticky: a rebalance moves only the partitions that change owner, and the others keep flowing.
    /// Range or round-robin (eager) revoke every partition on each rebalance; both are supported.
    /// </summary>
    public const PartitionAssignmentStrategy AssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;

    /// <summary>
    /// <c>fetch.queue.backoff.ms</c> unless configured: 10 ms. librdkafka's default of 1000 ms stops fetching a partition
    /// for a whole second whenever its prefetch queue is full, which cuts the throughput of small records several-fold.
    /// </summary>
    public const int FetchQueueBackoffMs = 10;

    /// <summary>Handler calls in place for one record, the first included: 3.</summary>
    public const int MaxAttempts = 3;

    /// <summary>The wait before the first in-place retry: 200 ms.</summary>
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between in-place attempts: 10 s.</summary>
    public static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(10);

    /// <summary>Each wait varies by up to ±20%.</summary>
    public const double RetryJitter = 0.2;

    /// <summary>While a dependency is down, it is probed this often: 5 s.</summary>
    public static readonly TimeSpan DependencyProbeInterval = TimeSpan.FromSeconds(5);

    /// <summary>A dead letter that could not be written is tried again after this long, doubling up to <see cref="DeadLetterMaxBackoff"/>: 1 s.</summary>
    public static readonly TimeSpan DeadLetterBackoff = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts to write a dead letter: 30 s.</summary>
    public static readonly TimeSpan DeadLetterMaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The exception message in the dead-letter headers is cut to this many characters: 1024.</summary>
    public const int MaxExceptionMessageLength = 1_024;

    /// <summary>The stack trace in the dead-letter headers is cut to this many characters: 4096.</summary>
    public const int MaxStackTraceLength = 4_096;

    /// <summary>How long one poll waits for a record before the worker checks its commits and pauses again: 50 ms.</summary>
    internal static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long the poll thread waits for a partition that reached <see cref="MaxInFlightPerPartition"/> to work off half
    /// of its records before it pauses the partition: 50 ms. A pause makes librdkafka drop the partition's prefetched
    /// records and fetch them again on resume, so a handler that is only briefly behind (a busy thread pool, a loaded
    /// machine) is waited for; one that stays behind is paused and the other partitions flow.
    /// </summary>
    internal static readonly TimeSpan BackpressureWait = TimeSpan.FromMilliseconds(50);

    /// <summary>Within <see cref="BackpressureWait"/>, the wait ends (and the partition is paused) when no batch is handled for this long: 10 ms.</summary>
    internal static readonly TimeSpan BackpressureProgressWait = TimeSpan.FromMilliseconds(10);

    /// <summary>The name of the health check of the consumer of <paramref name="topic"/> in <paramref name="groupId"/>: <c>kafka-consumer:&lt;group&gt;:&lt;topic&gt;</c>.</summary>
    public static string HealthCheckName(string groupId, string topic) => $"kafka-consumer:{groupId}:{topic}";

    /// <summary>Limits.</summary>
    public static class Limits
    {
        /// <summary>The largest <see cref="ConsumerOptions.MaxInFlightPerPartition"/>.</summary>
        public const int MaxInFlightPerPartition = 1_000_000;

        /// <summary>The largest <see cref="ConsumerOptions.MaxConcurrencyPerPartition"/>.</summary>
        public const int MaxConcurrencyPerPartition = 1_000;

        /// <summary>The largest <see cref="ConsumerOptions.MaxBatchSize"/>.</summary>
        public const int MaxBatchSize = 100_000;

        /// <summary>The most in-place attempts.</summary>
        public const int MaxAttempts = 100;

        /// <summary>The most retry topics.</summary>
        public const int MaxRetryTopics = 10;

        /// <summary>The largest <see cref="ConsumerOptions.MaxRecordsPerTransaction"/>.</summary>
        public const int MaxRecordsPerTransaction = 1_000_000;

        /// <summary>The shortest commit interval.</summary>
        public static readonly TimeSpan MinCommitInterval = TimeSpan.FromMilliseconds(10);

        /// <summary>The longest commit interval, shutdown, revoke timeout and retry wait.</summary>
        public static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

        /// <summary>The longest retry-topic delay.</summary>
        public static readonly TimeSpan MaxRetryTopicDelay = TimeSpan.FromDays(7);
    }
}

using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Native;
using Samsa.Provisioning;

namespace Samsa.Consuming.DeadLetter;

/// <summary>
/// Writes dead letters back to the topic they came from, all of them or those a <see cref="ReplayFilter"/> picks, with
/// a dry run and a rate limit. Each record goes back to its original topic and partition with its key, value and
/// original headers (the dead-letter headers removed), plus <see cref="DeadLetterHeaders.ReplayedFrom"/>,
/// <see cref="DeadLetterHeaders.ReplayedAt"/> and <see cref="DeadLetterHeaders.ReplayGroup"/> (so consumers of other
/// groups, which handled it the first time, skip it). What was replayed is recorded in the replay ledger
/// (<see cref="ReplayLedger"/>, the compacted topic <c>&lt;dead-letter topic&gt;.replayed</c>), so a second replay
/// writes nothing again.
/// </summary>
/// <remarks>
/// Registered as a singleton by <c>AddConsumer</c>; the CLI builds one with <see cref="Create"/>. Reading is bounded by
/// <see cref="ReplayOptions.ScanTimeout"/>; a write that fails stops the replay with a <see cref="ReplayException"/>
/// (what was written before it is in the ledger, so running the replay again continues where it stopped).
/// </remarks>
public sealed partial class DeadLetterReplayer
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<ConsumerConfig> _consumerConfig;
    private readonly Func<ProducerConfig> _producerConfig;
    private readonly Func<IAdminClient> _adminClient;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the replayer from the validated Kafka options (the DI constructor).</summary>
    public DeadLetterReplayer(IOptions<KafkaOptions> options, IKafkaAdminClientFactory adminClients, TimeProvider timeProvider, ILogger<DeadLetterReplayer>? logger = null)
        : this(
            () => KafkaClientConfigFactory.CreateConsumerConfig(options.Value),
            () => KafkaClientConfigFactory.CreateProducerConfig(options.Value),
            () => adminClients.CreateAdminClient(),
            timeProvider,
            logger)
    {
    }

    internal DeadLetterReplayer(
        Func<ConsumerConfig> consumerConfig, Func<ProducerConfig> producerConfig, Func<IAdminClient> adminClient, TimeProvider timeProvider, ILogger? logger)
    {
        _consumerConfig = consumerConfig;
        _producerConfig = producerConfig;
        _adminClient = adminClient;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A replayer outside dependency injection (the CLI): clients are configured from <paramref name="options"/>, which should be validated.</summary>
    public static DeadLetterReplayer Create(KafkaOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DeadLetterReplayer(
            () => KafkaClientConfigFactory.CreateConsumerConfig(options),
            () => KafkaClientConfigFactory.CreateProducerConfig(options),
            () =>
            {
                LibrdkafkaLoader.EnsureLoaded();
                return new AdminClientBuilder(KafkaClientConfigFactory.CreateAdminClientConfig(options)).Build();
            },
            timeProvider ?? TimeProvider.System,
            logger);
    }

    /// <summary>Replays the dead letters <paramref name="options"/> select; see the class summary.</summary>
    /// <exception cref="ArgumentException">The dead-letter topic is not a legal topic name (<see cref="TopicNameRules"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    /// <exception cref="ReplayException">The dead-letter topic is missing, or reading or writing failed.</exception>
    /// <exception cref="TimeoutException">The topics could not be read to their ends within <see cref="ReplayOptions.ScanTimeout"/>.</exception>
    public Task<ReplayResult> ReplayAsync(ReplayOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        TopicNameRules.ThrowIfInvalid(options.DeadLetterTopic, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Filter);
        if (options.MaxRecordsPerSecond is { } rate && !(rate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), rate, "MaxRecordsPerSecond must be above 0 (or null for no limit).");
        }

        if (options.MaxRecords is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRecords, "MaxRecords must not be negative.");
        }

        LibrdkafkaLoader.EnsureLoaded();
        return Task.Factory.StartNew(
            () => Replay(options, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private ReplayResult Replay(ReplayOptions options, CancellationToken cancellationToken)
    {
        var topic = options.DeadLetterTopic;
        var mode = options.DryRun ? "dry run" : "replay";
        var filter = options.Filter.ToString();
        Log.ReplayStarted(_logger, topic, mode, filter);
        var readConfig = ReadConfig();
        Run? run = null;
        try
        {
            var (deadLetters, ledger) = Open(topic, createLedger: !options.DryRun, readConfig, options.ScanTimeout, cancellationToken);
            var current = run = new Run(options, ledger, _timeProvider);
            using var producer = options.DryRun ? null : new ProducerBuilder<byte[]?, byte[]?>(_producerConfig()).Build();
            var pipeline = producer is null ? null : new ReplayPipeline(producer, ledger.Topic);
            try
            {
                TopicReader.ReadAll(readConfig, topic, deadLetters, options.ScanTimeout, _timeProvider, record =>
                {
                    // After a failed write nothing more is sent; the scan still counts what is left.
                    if (!current.Truncated && pipeline?.Failure is null)
                    {
                        Replay(current, pipeline, record, cancellationToken);
                    }
                }, cancellationToken);
            }
            finally
            {
                if (pipeline is not null)
                {
                    // Every record acknowledged gets its marker, also when the scan or a write failed.
                    pipeline.Flush(cancellationToken);
                    RecordAcknowledged(current, pipeline);
                    pipeline.Flush(cancellationToken);
                }
            }

            if (pipeline?.Failure is { } failure)
            {
                throw failure;
            }
        }
        catch (ProduceException<byte[]?, byte[]?> exception)
        {
            throw new ReplayException(
                $"Writing back to {exception.DeliveryResult?.Topic ?? "the original topic"} failed after {run?.Replayed ?? 0} record(s): {exception.Error.Code}: {exception.Error.Reason}. " +
                "Run the replay again to continue; what was written is in the ledger.", exception)
            { ReplayedBeforeFailure = run?.Replayed ?? 0 };
        }
        catch (KafkaException exception)
        {
            // Reading (watermarks, fetches) or the ledger's creation failed; nothing more was written after it.
            throw new ReplayException($"Reading {topic}, or reading or creating its ledger, failed: {exception.Error.Code}: {exception.Error.Reason}.", exception)
            { ReplayedBeforeFailure = run?.Replayed ?? 0 };
        }

        var result = run!.Result(topic);
        Log.ReplayFinished(_logger, topic, mode, result.Scanned, result.Matched, result.Replayed, result.AlreadyReplayed);
        return result;
    }

    /// <summary>
    /// The partitions of the dead-letter topic, and its ledger loaded from Kafka. The ledger topic is created when
    /// <paramref name="createLedger"/> and it is missing; a ledger created just now is empty, so it is not read (a topic
    /// that new may not be known to every broker yet).
    /// </summary>
    private (List<int> DeadLetters, ReplayLedger Ledger) Open(
        string topic, bool createLedger, ConsumerConfig readConfig, TimeSpan scanTimeout, CancellationToken cancellationToken)
    {
        using var admin = _adminClient();
        var metadata = admin.GetMetadata(RequestTimeout);
        var deadLetters = Partitions(metadata, topic)
            ?? throw new ReplayException($"The dead-letter topic '{topic}' does not exist.") { TopicMissing = true };
        var ledger = new ReplayLedger(Retry.RetryTopicNames.ReplayLedger(topic));
        var ledgerPartitions = Partitions(metadata, ledger.Topic);
        if (ledgerPartitions is null)
        {
            if (createLedger)
            {
                CreateLedgerTopic(admin, ledger.Topic, metadata.Brokers.Count);
            }

            return (deadLetters, ledger);
        }

        TopicReader.ReadAll(readConfig, ledger.Topic, ledgerPartitions, scanTimeout, _timeProvider, ledger.Load, cancellationToken);
        return (deadLetters, ledger);
    }

    private void Replay(Run run, ReplayPipeline? pipeline, ConsumeResult<byte[]?, byte[]?> record, CancellationToken cancellationToken)
    {
        var deadLetter = DeadLetterRecord.From(record);
        run.Scanned++;
        if (!run.Options.Filter.Matches(deadLetter))
        {
            return;
        }

        run.Matched++;
        if (run.Ledger.Contains(deadLetter.Partition, deadLetter.Offset))
        {
            run.AlreadyReplayed++;
            return;
        }

        if (deadLetter.OriginalTopic is not { Length: > 0 } target)
        {
            run.Unreplayable++;
            return;
        }

        if (run.Options.MaxRecords is { } max && run.Sent >= max)
        {
            run.Truncated = true;
            return;
        }

        if (pipeline is null)
        {
            run.Sent++;
            run.Add(new ReplayedRecord(deadLetter, target, deadLetter.OriginalPartition, -1));
            return;
        }

        RecordAcknowledged(run, pipeline);

        run.WaitForRate(cancellationToken);
        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Message.Key,
            Value = record.Message.Value,
            Headers = HeaderValues.WithoutRoutingHeaders(record.Message.Headers),
        };
        var now = _timeProvider.GetUtcNow();
        message.Headers.Add(DeadLetterHeaders.ReplayedFrom, HeaderValues.Text(string.Create(CultureInfo.InvariantCulture, $"{run.Options.DeadLetterTopic}/{deadLetter.Partition}/{deadLetter.Offset}")));
        message.Headers.Add(DeadLetterHeaders.ReplayedAt, HeaderValues.Time(now));
        if (deadLetter.GroupId is { Length: > 0 } group)
        {
            message.Headers.Add(DeadLetterHeaders.ReplayGroup, HeaderValues.Text(group));
        }

        // The replay is a new send: its span (a child of whatever asked for the replay) is the record's creation
        // context, and the dead letter's own trace stays as a link the consumer's span points to.
        var previous = Activity.Current;
        var span = SamsaActivitySource.HasListeners ? SamsaActivitySource.StartSend(target) : null;
        SamsaActivitySource.PrepareReplay(message.Headers);
        var destination = deadLetter.OriginalPartition >= 0 ? new TopicPartition(target, deadLetter.OriginalPartition) : new TopicPartition(target, Partition.Any);
        try
        {
            pipeline.Send(destination, message, deadLetter, span, cancellationToken);
        }
        catch (ProduceException<byte[]?, byte[]?> exception) when (span is not null)
        {
            SamsaActivitySource.CompleteSend(span, -1, -1, exception.Error.Code, exception.Error.Reason);
            throw;
        }
        finally
        {
            Activity.Current = previous;
        }

        run.Sent++;
    }

    /// <summary>Writes the ledger markers of the records acknowledged so far and counts them as replayed.</summary>
    private void RecordAcknowledged(Run run, ReplayPipeline pipeline)
    {
        foreach (var replayed in pipeline.TakeAcknowledged())
        {
            pipeline.WriteMarker(replayed, _timeProvider.GetUtcNow());
            run.Ledger.Add(replayed.DeadLetter.Partition, replayed.DeadLetter.Offset);
            run.Add(replayed);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var to = string.Create(CultureInfo.InvariantCulture, $"{replayed.TargetTopic}[{replayed.TargetPartition}]@{replayed.TargetOffset}");
                Log.ReplayedRecord(_logger, run.Options.DeadLetterTopic, replayed.DeadLetter.Partition, replayed.DeadLetter.Offset, to);
            }
        }
    }

    private ConsumerConfig ReadConfig()
    {
        var config = _consumerConfig();
        config.GroupId = $"samsa-replay-{Guid.NewGuid():N}";
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = true;
        config.AutoOffsetReset = AutoOffsetReset.Earliest;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        return config;
    }

    private static List<int>? Partitions(Metadata metadata, string topic)
    {
        var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        return found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0
            ? null
            : [.. found.Partitions.Select(p => p.PartitionId).Order()];
    }

    private static void CreateLedgerTopic(IAdminClient admin, string topic, int brokers)
    {
        try
        {
            admin.CreateTopicsAsync(
                [new TopicSpecification
                {
                    Name = topic,
                    NumPartitions = 1,
                    ReplicationFactor = (short)Math.Clamp(brokers, 1, TopicDefaults.Production.ReplicationFactor),
                    Configs = new Dictionary<string, string>(StringComparer.Ordinal) { [TopicConfigNames.CleanupPolicy] = "compact" },
                }],
                new CreateTopicsOptions { RequestTimeout = RequestTimeout }).GetAwaiter().GetResult();
        }
        catch (CreateTopicsException exception) when (exception.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Created by someone else in the meantime.
        }
    }

    /// <summary>The state of one replay.</summary>
    private sealed class Run(ReplayOptions options, ReplayLedger ledger, TimeProvider timeProvider)
    {
        private readonly List<ReplayedRecord> _records = [];
        private long? _lastWrite;

        public ReplayOptions Options { get; } = options;

        public ReplayLedger Ledger { get; } = ledger;

        public int Scanned { get; set; }

        public int Matched { get; set; }

        public int Replayed { get; private set; }

        /// <summary>Records sent (or, in a dry run, that would be), acknowledged or not: what <see cref="ReplayOptions.MaxRecords"/> counts.</summary>
        public int Sent { get; set; }

        public int AlreadyReplayed { get; set; }

        public int Unreplayable { get; set; }

        public bool Truncated { get; set; }

        public void Add(ReplayedRecord record)
        {
            Replayed++;
            if (_records.Count < DeadLetterDefaults.MaxListedRecords)
            {
                _records.Add(record);
            }
        }

        /// <summary>
        /// Waits until the next record may go: 1 / rate seconds after the previous one went. Time not used (a slow scan
        /// past records the filter skips, a slow write) is not saved up, so the limit holds over every second, never a burst.
        /// </summary>
        public void WaitForRate(CancellationToken cancellationToken)
        {
            if (Options.MaxRecordsPerSecond is not { } rate)
            {
                return;
            }

            if (_lastWrite is { } last)
            {
                var wait = TimeSpan.FromSeconds(1 / rate) - timeProvider.GetElapsedTime(last);
                if (wait > TimeSpan.Zero)
                {
                    Task.Delay(wait, timeProvider, cancellationToken).GetAwaiter().GetResult();
                }
            }

            _lastWrite = timeProvider.GetTimestamp();
        }

        public ReplayResult Result(string topic) => new()
        {
            DeadLetterTopic = topic,
            DryRun = Options.DryRun,
            Scanned = Scanned,
            Matched = Matched,
            Replayed = Replayed,
            AlreadyReplayed = AlreadyReplayed,
            Unreplayable = Unreplayable,
            Truncated = Truncated,
            Records = _records,
        };
    }
}

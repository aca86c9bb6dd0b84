using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Samsa.Diagnostics;
using Samsa.Native;

namespace Samsa.Consuming.ExactlyOnce;

/// <summary>
/// The open Kafka transaction of an exactly-once worker: one transactional producer, into which each handled record
/// puts what its handler produced (or its dead letter or retry copy) and whose offsets the poll thread sends with
/// <c>SendOffsetsToTransaction(offsets, consumer.ConsumerGroupMetadata)</c> before it commits (KIP-447: a member that a
/// rebalance fenced cannot commit).
/// </summary>
/// <remarks>
/// <para>
/// One gate orders records and commits. A record's outputs are produced and its offset marked handled under the
/// gate, and the poll thread commits under it, so a transaction never holds a record's outputs without its offset or
/// the reverse. Processors wait on the gate only while a commit is under way.
/// </para>
/// <para>
/// When a commit or a produce fails short of fatal, the transaction is aborted and every processor is marked
/// discarded under the gate: nothing more enters the aborted transaction, and the worker seeks the partitions back to
/// their last committed offsets (<see cref="ConsumerWorker"/>), so the records are handled again into a new one.
/// A fatal error (fenced by a newer producer with the same transactional id) faults the worker.
/// </para>
/// </remarks>
internal sealed class TransactionalBatch : IDisposable
{
    /// <summary>librdkafka's default <c>transaction.timeout.ms</c>.</summary>
    private const int LibrdkafkaTransactionTimeoutMs = 60_000;

    private static readonly TimeSpan QueueFullWait = TimeSpan.FromMilliseconds(100);

    private readonly Func<ProducerConfig> _config;
    private readonly Action<Error> _onError;
    private readonly string _groupId;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _commitInterval;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Action<DeliveryReport<byte[]?, byte[]?>> _delivered;
    private IProducer<byte[]?, byte[]?>? _producer;
    private bool _open;
    private int _records;
    private volatile bool _abortRequested;
    private volatile Error? _deliveryError;
    private volatile string? _deliveryTopic;

    /// <summary>The worker's counters; records count there when their transaction commits, so an abort's rerun is not counted twice.</summary>
    private readonly ConsumerCounters _counters;

    /// <summary>Records of the open transaction by <see cref="RecordDisposition"/> (under the gate).</summary>
    private readonly long[] _pending = new long[3];

    public TransactionalBatch(Func<ProducerConfig> config, string groupId, TimeSpan commitInterval, ILogger logger, Action<Error> onError, TimeSpan timeout, ConsumerCounters counters)
    {
        _counters = counters;
        _commitInterval = commitInterval;
        _config = config;
        _groupId = groupId;
        _logger = logger;
        _onError = onError;
        _timeout = timeout;
        _delivered = report =>
        {
            // A failed produce fails the transaction anyway; remembering it lets the poll thread abort at once.
            // Purges are the reports of an abort already made.
            if (report.Error.IsError && report.Error.Code is not (ErrorCode.Local_PurgeQueue or ErrorCode.Local_PurgeInflight))
            {
                _deliveryError = report.Error;
                _deliveryTopic = report.Topic;
                _abortRequested = true;
            }
        };
    }

    /// <summary>The producer's transactional id (after <see cref="Initialize"/>).</summary>
    public string? TransactionalId { get; private set; }

    /// <summary>Records in the open transaction (read by the poll thread to commit early).</summary>
    public int Records => Volatile.Read(ref _records);

    /// <summary>
    /// Why the last transaction aborted when one of its writes (an output, a dead letter, a retry copy) failed; null
    /// after an abort for another reason. The worker reports it while the same records keep failing.
    /// </summary>
    public string? LastWriteFailure { get; private set; }

    /// <summary>True when a produce failed and the open transaction can only be aborted.</summary>
    public bool AbortRequested => _abortRequested;

    /// <summary>Builds the producer and registers its transactional id with the coordinator, fencing older producers with the same id (poll thread, before subscribing).</summary>
    public void Initialize()
    {
        var config = _config();
        TransactionalId = config.TransactionalId;
        var transactionTimeout = TimeSpan.FromMilliseconds(config.TransactionTimeoutMs ?? LibrdkafkaTransactionTimeoutMs);
        if (_commitInterval >= transactionTimeout)
        {
            Log.TransactionTimeoutTooShort(_logger, _groupId, _commitInterval, transactionTimeout);
        }

        LibrdkafkaLoader.EnsureLoaded();
        var onError = _onError;
        try
        {
            _producer = new ProducerBuilder<byte[]?, byte[]?>(config)
                .SetErrorHandler((_, error) => onError(error))
                .Build();
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The exactly-once producer '{TransactionalId}' of group {_groupId} could not be built: {exception.Message} (see ConsumerOptions.ConfigureProducer).",
                exception);
        }

        try
        {
            _producer.InitTransactions(_timeout);
        }
        catch (KafkaException exception)
        {
            throw new InvalidOperationException(
                $"The exactly-once producer '{TransactionalId}' of group {_groupId} could not start its transactions ({exception.Error.Code}: {exception.Error.Reason}); the brokers must support transactions.",
                exception);
        }
    }

    /// <summary>
    /// Puts <paramref name="record"/>'s outputs into the open transaction and marks it handled, both under the gate.
    /// False when the partition's work was discarded by an abort (the record is read again after the rewind).
    /// </summary>
    public ValueTask<bool> CompleteAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, List<TopicPartition>? topics, List<Message<byte[]?, byte[]?>>? messages, RecordDisposition disposition)
        => CompleteManyAsync(partition, record, 1, topics, messages, disposition);

    /// <summary>
    /// Puts a batch's outputs into the open transaction and marks its records handled up to <paramref name="last"/>,
    /// all under the gate, so the batch's outputs and offsets are committed together; <paramref name="count"/> records
    /// count as <paramref name="disposition"/>. False as for <see cref="CompleteAsync"/>.
    /// </summary>
    public ValueTask<bool> CompleteManyAsync(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> last, int count, List<TopicPartition>? topics, List<Message<byte[]?, byte[]?>>? messages, RecordDisposition disposition)
    {
        if (_gate.Wait(0))
        {
            return ValueTask.FromResult(CompleteHeld(partition, last, count, topics, messages, disposition));
        }

        return Slow();

        async ValueTask<bool> Slow()
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            return CompleteHeld(partition, last, count, topics, messages, disposition);
        }
    }

    /// <summary>
    /// Commits the open transaction with the handled offsets of <paramref name="processors"/> (every processor of the
    /// worker: the transaction spans them all). <paramref name="retiring"/> (partitions about to go) are discarded
    /// first, under the gate, so that a handler call that outlives its drain cannot put outputs into a later
    /// transaction that no longer carries its offset. On an error short of fatal, aborts instead, marks every
    /// processor discarded and returns <see cref="TransactionOutcome.Aborted"/>; the caller rewinds them.
    /// </summary>
    public TransactionOutcome Commit(IReadOnlyCollection<PartitionProcessor> processors, IReadOnlyCollection<PartitionProcessor> retiring, IConsumerGroupMetadata group, out string committed)
    {
        committed = "nothing new";
        _gate.Wait();
        try
        {
            foreach (var processor in retiring)
            {
                processor.Discard();
            }

            if (_abortRequested)
            {
                var error = _deliveryError;
                LastWriteFailure = error is null ? "a record could not be added to the transaction" : $"{_deliveryTopic ?? "a topic"}: {error.Code}: {error.Reason}";
                AbortHeld(processors, error is null ? "a record could not be added" : $"a produce failed with {error.Code}: {error.Reason}", null);
                return TransactionOutcome.Aborted;
            }

            if (!_open)
            {
                return TransactionOutcome.Nothing;
            }

            var offsets = new List<TopicPartitionOffset>();
            foreach (var processor in processors)
            {
                if (processor.Offsets.Committable() is { } offset)
                {
                    offsets.Add(new TopicPartitionOffset(processor.TopicPartition, offset));
                }
            }

            try
            {
                // The offsets must be in before the commit: outputs committed without them would be produced again.
                if (offsets.Count > 0)
                {
                    Twice(() => _producer!.SendOffsetsToTransaction(offsets, group, _timeout));
                }

                Twice(() => _producer!.CommitTransaction(_timeout));
            }
            catch (KafkaException exception) when (!exception.Error.IsFatal)
            {
                LastWriteFailure = null;
                AbortHeld(processors, $"commit failed with {exception.Error.Code}: {exception.Error.Reason}", exception);
                return TransactionOutcome.Aborted;
            }
            catch (KafkaException exception)
            {
                throw Fatal(exception);
            }

            foreach (var offset in offsets)
            {
                processors.First(p => p.TopicPartition == offset.TopicPartition).Offsets.MarkCommitted(offset.Offset.Value);
            }

            _counters.RecordCommitted(_pending[(int)RecordDisposition.Handled], _pending[(int)RecordDisposition.Forwarded], _pending[(int)RecordDisposition.DeadLettered]);
            Array.Clear(_pending);
            committed = string.Join(", ", offsets.Select(o => $"{o.Topic}[{o.Partition.Value}]@{o.Offset.Value}"));
            Log.TransactionCommitted(_logger, _groupId, _records, committed);
            _open = false;
            Volatile.Write(ref _records, 0);
            return TransactionOutcome.Committed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Aborts the open transaction (a partition was lost, so its offsets can no longer be committed) and marks every processor discarded.</summary>
    public void Abort(IReadOnlyCollection<PartitionProcessor> processors, string reason)
    {
        _gate.Wait();
        try
        {
            AbortHeld(processors, reason, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disposes the producer without committing: an open transaction is aborted by the coordinator (a newer producer with the same id, or its timeout).</summary>
    public void Dispose()
    {
        _producer?.Dispose();
        _gate.Dispose();
    }

    private bool CompleteHeld(PartitionFlowState partition, ConsumeResult<byte[]?, byte[]?> record, int count, List<TopicPartition>? topics, List<Message<byte[]?, byte[]?>>? messages, RecordDisposition disposition)
    {
        try
        {
            if (partition.Discarded || _abortRequested)
            {
                return false;
            }

            try
            {
                if (!_open)
                {
                    _producer!.BeginTransaction();
                    _open = true;
                }

                for (var i = 0; i < (messages?.Count ?? 0); i++)
                {
                    Produce(topics![i], messages![i]);
                }
            }
            catch (KafkaException exception) when (!exception.Error.IsFatal)
            {
                // Abortable (the transaction is already failing): the poll thread aborts and rewinds.
                _deliveryError = exception.Error;
                _abortRequested = true;
                return false;
            }
            catch (KafkaException exception)
            {
                throw Fatal(exception);
            }

            partition.Offsets.MarkHandled(record.Offset.Value);
            Volatile.Write(ref _records, _records + count);
            _pending[(int)disposition] += count;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Produce(TopicPartition topic, Message<byte[]?, byte[]?> message)
    {
        while (true)
        {
            try
            {
                _producer!.Produce(topic, message, _delivered);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The local queue is full: let some of it reach the broker, then try again.
                _producer!.Flush(QueueFullWait);
            }
        }
    }

    /// <summary>Runs a transaction call, and once more after a retriable error (librdkafka allows the same call again; a commit's unknown outcome is settled by it).</summary>
    private static void Twice(Action operation)
    {
        try
        {
            operation();
        }
        catch (KafkaRetriableException exception) when (!exception.Error.IsFatal)
        {
            operation();
        }
    }

    private void AbortHeld(IReadOnlyCollection<PartitionProcessor> processors, string reason, Exception? exception)
    {
        foreach (var processor in processors)
        {
            processor.Discard();
        }

        if (_open)
        {
            try
            {
                _producer!.AbortTransaction(_timeout);
            }
            catch (KafkaException abortError) when (!abortError.Error.IsFatal)
            {
                throw new InvalidOperationException(
                    $"The exactly-once producer '{TransactionalId}' of group {_groupId} could not abort its transaction ({abortError.Error.Code}: {abortError.Error.Reason}) after: {reason}.",
                    abortError);
            }
            catch (KafkaException abortError)
            {
                throw Fatal(abortError);
            }
        }

        _open = false;
        _abortRequested = false;
        _deliveryError = null;
        _deliveryTopic = null;
        Array.Clear(_pending);
        Volatile.Write(ref _records, 0);
        Log.TransactionAborted(_logger, exception, _groupId, reason);
    }

    /// <summary>The error that stops the worker when the producer reports <paramref name="error"/> as fatal.</summary>
    public InvalidOperationException Fatal(Error error) => Fatal(new KafkaException(error));

    private InvalidOperationException Fatal(KafkaException exception) => new(
        $"The exactly-once producer '{TransactionalId}' of group {_groupId} hit a fatal error ({exception.Error.Code}: {exception.Error.Reason}); "
        + "a newer producer with the same transactional id has probably fenced it (this instance restarted elsewhere, or another running instance has "
        + "the same ConsumerOptions.InstanceId: give each its own). The worker stops; its open transaction is aborted by the coordinator.",
        exception);
}

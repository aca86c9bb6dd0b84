using Confluent.Kafka;
using Samsa.Consuming.ExactlyOnce;

namespace Samsa.Consuming;

/// <summary>
/// Batch consumers: one handler call for a batch of one partition's records, then each record settled in offset order
/// through the same paths as a single record's (poison, failure, success), so retries, retry topics and dead letters
/// work per record.
/// </summary>
internal sealed partial class RecordPipeline
{
    /// <summary>
    /// Handles <paramref name="records"/> (one partition, offset order) with the batch handler and settles each one; see
    /// <see cref="IEventBatchHandler{TEvent}"/>. Done when all are settled (their offsets are marked handled here, in
    /// order, as each settles); otherwise the outcome of the first record that was not (the partition stopped first, or
    /// a misconfiguration).
    /// </summary>
    public async ValueTask<RecordOutcome> ProcessBatchAsync(PartitionFlowState partition, List<ConsumeResult<byte[]?, byte[]?>> records, ConsumeContext context)
    {
        var dispatcher = (BatchEventDispatcher)_dispatcher;
        var token = partition.HandlerToken;

        // What each record is: skipped (another group's replay), poison (its exception), or the index of its event.
        var poison = new Exception?[records.Count];
        var slot = new int[records.Count];
        var handled = new List<ConsumeResult<byte[]?, byte[]?>>(records.Count);
        var events = new List<object?>(records.Count);
        var skipped = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            slot[i] = -1;
            if (IsOtherGroupsReplay(record))
            {
                skipped++;
                continue;
            }

            try
            {
                events.Add(_dispatcher.Deserialize(record, context.Load(record, attempt: 1, retryLevel: 0, token)));
                slot[i] = handled.Count;
                handled.Add(record);
            }
            catch (Exception exception)
            {
                poison[i] = exception;
            }
        }

        Exception? whole = null;
        ConsumeBatchContext? batch = null;
        if (handled.Count > 0)
        {
            batch = new ConsumeBatchContext(context.Load(handled[0], attempt: 1, retryLevel: 0, token), handled.Count);
            try
            {
                await dispatcher.HandleBatchAsync(handled, events, batch, token).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return RecordOutcome.Stopped;
            }
            catch (Exception exception)
            {
                whole = exception;
            }
        }

        // Taken now: settling a failed record reloads the context, which drops its outbox.
        var outbox = whole is null ? context.Outbox : null;
        var outboxTopics = context.OutboxTopics;
        var clean = whole is null && (batch?.FailedCount ?? 0) == 0 && handled.Count + skipped == records.Count;
        if (_transaction is not null)
        {
            if (clean)
            {
                foreach (var record in handled)
                {
                    Succeeded(partition, record, 0);
                }

                return RecordOutcome.From(await _transaction.CompleteManyAsync(partition, records[^1], records.Count, outboxTopics, outbox, RecordDisposition.Handled).ConfigureAwait(false));
            }

            // Each record again on its own (a batch of one), so that its outputs, retry copy or dead letter share a
            // transaction with its offset; the batch's outputs are dropped with the failed batch.
            foreach (var record in records)
            {
                var single = await ProcessSlowAsync(partition, record, context).ConfigureAwait(false);
                if (!single.IsDone)
                {
                    return single;
                }
            }

            return RecordOutcome.Done;
        }

        // At least once: the batch's outputs are acknowledged before any of its offsets can be committed.
        if (outbox is not null && await SendOutputsAsync(partition, handled[0], outboxTopics!, outbox).ConfigureAwait(false) is { IsDone: false } unsent)
        {
            return unsent;
        }

        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var settled = RecordOutcome.Done;
            if (poison[i] is { } poisoned)
            {
                settled = await PoisonAsync(partition, record, null, poisoned).ConfigureAwait(false);
            }
            else if (slot[i] >= 0)
            {
                if ((whole ?? batch!.FailureAt(slot[i])) is { } failure)
                {
                    // The record's own failure path, as if its handler call had just failed with this exception.
                    var single = context.Load(record, attempt: 1, retryLevel: 0, token);
#pragma warning disable CA2012 // A completed, faulted task that HandleAsync awaits exactly once, as its first call.
                    settled = await HandleAsync(partition, record, single, events[slot[i]], null, ValueTask.FromException(failure), 0).ConfigureAwait(false);
#pragma warning restore CA2012
                }
                else
                {
                    Succeeded(partition, record, 0);
                }
            }

            if (!settled.IsDone)
            {
                return settled;
            }

            // In offset order, so the committed offset never passes a record not yet settled.
            partition.Offsets.MarkHandled(record.Offset.Value);
        }

        return RecordOutcome.Done;
    }
}

namespace Samsa.Consuming;

/// <summary>
/// Handles the events of one topic a batch at a time. Registered with
/// <c>AddSamsaKafka().AddBatchConsumer&lt;THandler, TEvent&gt;(topic, group)</c>, it is called with records of ONE partition
/// in offset order, at most <see cref="ConsumerOptions.MaxBatchSize"/> of them, handed over when the batch is full or
/// <see cref="ConsumerOptions.MaxBatchWait"/> after its first record; a partition's batches run one after another,
/// partitions concurrently.
/// </summary>
/// <remarks>
/// <para>
/// Returning settles the batch: records marked with <see cref="ConsumeBatchContext.Fail{TEvent}"/> go through the
/// failure path each on its own (retried in place, then through the retry topics, then dead-lettered, as for
/// <see cref="IEventHandler{TEvent}"/>), and the others count as handled. Throwing fails the whole batch: every record
/// goes through the failure path with that exception. A record retried in place or read back from a retry topic is
/// handled as a batch of one. Offsets are committed only once every record of the batch is settled.
/// </para>
/// <para>
/// Outputs (<see cref="ConsumeBatchContext.Publish{TEvent}"/>) are the batch's: at least once they are acknowledged
/// before any of its offsets is committed; with <see cref="ConsumerOptions.ExactlyOnce"/> they and the batch's
/// offsets are committed in one transaction. In exactly-once mode a batch with a failed record is not settled as a
/// batch: its outputs are dropped and each record is handled again alone, so that each record's outputs, retry copy
/// or dead letter join the transaction of its own offset. See docs/consumers/handlers.md.
/// </para>
/// </remarks>
/// <typeparam name="TEvent">The event type the records' values are deserialized into.</typeparam>
public interface IEventBatchHandler<TEvent>
{
    /// <summary>Handles a batch of events from one partition.</summary>
    /// <param name="records">The records, in offset order, with their deserialized events.</param>
    /// <param name="context">The batch's partition, the failure marks and the output API.</param>
    /// <param name="cancellationToken">Fires when the worker gives up on the batch (revoke or shutdown past its bound).</param>
    ValueTask HandleAsync(IReadOnlyList<ConsumedRecord<TEvent>> records, ConsumeBatchContext context, CancellationToken cancellationToken);
}

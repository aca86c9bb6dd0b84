namespace Samsa.Consuming;

/// <summary>
/// Handles the events of one topic. Registered with <c>AddSamsaKafka().AddConsumer&lt;THandler, TEvent&gt;(topic, group)</c>,
/// it is called once per record, in offset order within a partition, with partitions handled concurrently.
/// </summary>
/// <remarks>
/// <para>
/// Returning marks the record handled; its offset is committed with the next batch. Throwing hands the record to the
/// failure path: the exception is classified (<see cref="Retry.FailureClassifier"/>), transient failures are retried in
/// place with backoff, then through the retry topics, and what still fails, or fails permanently, goes to the
/// dead-letter topic, and an exception classified <see cref="Retry.FailureKind.Fatal"/> (a misconfiguration) stops the
/// worker. Delivery is at least once: after a crash or a rebalance a record may be handled again. Outputs go through
/// <see cref="ConsumeContext.Publish{TEvent}"/>: acknowledged before the record's offset is committed, or, with
/// <see cref="ConsumerOptions.ExactlyOnce"/>, in the transaction that commits it.
/// </para>
/// <para>
/// A handler that is not registered as a singleton is resolved from a new service scope for every record.
/// </para>
/// </remarks>
/// <typeparam name="TEvent">The event type the record's value is deserialized into.</typeparam>
public interface IEventHandler<in TEvent>
{
    /// <summary>Handles one event.</summary>
    /// <param name="event">The deserialized value.</param>
    /// <param name="context">Where the record came from (topic, partition, offset, key, headers) and which attempt this is.</param>
    /// <param name="cancellationToken">Fires when the worker gives up on the record: its partition was revoked or the host is stopping and the bound ran out.</param>
    ValueTask HandleAsync(TEvent @event, ConsumeContext context, CancellationToken cancellationToken);
}

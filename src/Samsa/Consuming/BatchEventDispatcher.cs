using System.Runtime.ExceptionServices;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Samsa.Consuming;

/// <summary>
/// Calls an <see cref="IEventBatchHandler{TEvent}"/>: with a batch (<see cref="HandleBatchAsync"/>), or, through the
/// single-record path every retry and retry topic uses, with a batch of one, so that the failure path needs nothing
/// of its own for batch consumers.
/// </summary>
internal abstract class BatchEventDispatcher : EventDispatcher
{
    /// <summary>Calls the handler with <paramref name="records"/> and their <paramref name="events"/>; failures marked land on <paramref name="context"/>.</summary>
    public abstract ValueTask HandleBatchAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> records, IReadOnlyList<object?> events, ConsumeBatchContext context, CancellationToken cancellationToken);
}

/// <summary>The typed <see cref="BatchEventDispatcher"/> of <typeparamref name="THandler"/>.</summary>
internal sealed class BatchEventDispatcher<THandler, TEvent> : BatchEventDispatcher
    where THandler : class, IEventBatchHandler<TEvent>
{
    private readonly HandlerResolver<THandler> _handler;
    private readonly IEventDeserializer _deserializer;

    public BatchEventDispatcher(IServiceProvider services, IEventDeserializer deserializer)
    {
        _handler = new HandlerResolver<THandler>(services);
        _deserializer = deserializer;
    }

    public override object? Deserialize(ConsumeResult<byte[]?, byte[]?> record, ConsumeContext context) =>
        _deserializer.Deserialize<TEvent>(record.Message.Value, context);

    public override async ValueTask HandleAsync(object? @event, ConsumeContext context, CancellationToken cancellationToken)
    {
        var batch = new ConsumeBatchContext(context, 1);
        ConsumedRecord<TEvent>[] records = [new(context.Record, (TEvent)@event!, 0, context.Attempt, context.RetryLevel)];
        await CallAsync(records, batch, cancellationToken).ConfigureAwait(false);

        // A record marked failed in a batch of one fails its call, as a thrown exception would.
        if (batch.FailureAt(0) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    public override ValueTask HandleBatchAsync(IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> records, IReadOnlyList<object?> events, ConsumeBatchContext context, CancellationToken cancellationToken)
    {
        var typed = new ConsumedRecord<TEvent>[records.Count];
        for (var i = 0; i < typed.Length; i++)
        {
            typed[i] = new ConsumedRecord<TEvent>(records[i], (TEvent)events[i]!, i, attempt: 1, retryLevel: 0);
        }

        return CallAsync(typed, context, cancellationToken);
    }

    private async ValueTask CallAsync(ConsumedRecord<TEvent>[] records, ConsumeBatchContext context, CancellationToken cancellationToken)
    {
        if (_handler.Singleton is { } handler)
        {
            await handler.HandleAsync(records, context, cancellationToken).ConfigureAwait(false);
            return;
        }

        var scope = _handler.Scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(records, context, cancellationToken).ConfigureAwait(false);
        }
    }
}

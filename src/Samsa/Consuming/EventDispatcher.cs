using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Samsa.Consuming;

/// <summary>Turns a record into a typed handler call, so the worker and its partitions need not be generic.</summary>
internal abstract class EventDispatcher
{
    /// <summary>The record's value as the handler's event.</summary>
    /// <exception cref="Exception">The value cannot be deserialized.</exception>
    public abstract object? Deserialize(ConsumeResult<byte[]?, byte[]?> record, ConsumeContext context);

    /// <summary>Calls the handler with <paramref name="event"/>.</summary>
    public abstract ValueTask HandleAsync(object? @event, ConsumeContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Calls <typeparamref name="THandler"/>. A handler registered as a singleton is resolved once; any other lifetime is
/// resolved from a new service scope for every call (found out at start by resolving it from two scopes).
/// </summary>
internal sealed class EventDispatcher<THandler, TEvent> : EventDispatcher
    where THandler : class, IEventHandler<TEvent>
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IEventDeserializer _deserializer;
    private readonly THandler? _singleton;

    public EventDispatcher(IServiceProvider services, IEventDeserializer deserializer)
    {
        var resolver = new HandlerResolver<THandler>(services);
        _scopes = resolver.Scopes;
        _deserializer = deserializer;
        _singleton = resolver.Singleton;
    }

    /// <summary>True when the handler is one shared instance.</summary>
    public bool IsSingleton => _singleton is not null;

    public override object? Deserialize(ConsumeResult<byte[]?, byte[]?> record, ConsumeContext context) =>
        _deserializer.Deserialize<TEvent>(record.Message.Value, context);

    public override ValueTask HandleAsync(object? @event, ConsumeContext context, CancellationToken cancellationToken) =>
        _singleton is { } handler
            ? handler.HandleAsync((TEvent)@event!, context, cancellationToken)
            : HandleScopedAsync(@event, context, cancellationToken);

    private async ValueTask HandleScopedAsync(object? @event, ConsumeContext context, CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var handler = scope.ServiceProvider.GetRequiredService<THandler>();
            await handler.HandleAsync((TEvent)@event!, context, cancellationToken).ConfigureAwait(false);
        }
    }
}

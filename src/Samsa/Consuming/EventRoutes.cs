using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Samsa.Publishing;

namespace Samsa.Consuming;

/// <summary>
/// The handlers of a topic that carries several event types, for
/// <c>AddConsumer(topic, group, routes =&gt; routes.On&lt;OrderPlaced, PlaceHandler&gt;().On&lt;OrderCancelled, CancelHandler&gt;())</c>:
/// each record goes to the handler registered for its <see cref="SamsaHeaders.EventType"/> header (what
/// <see cref="IEventPublisher"/> and <see cref="ConsumeContext.Publish{TEvent}"/> write), deserialized by that
/// handler's own deserializer; a record with another type, or without the header, goes to the fallback.
/// </summary>
/// <remarks>
/// Without a fallback, a record of a type no handler is registered for is dead-lettered (its reason:
/// deserialization), so it can be replayed once a handler exists. All handlers share the registration's retries,
/// dead-letter topic, delivery mode and ordering: records are handled one at a time per partition, whatever their type.
/// </remarks>
public sealed class EventRoutes
{
    private readonly List<EventRoute> _routes = [];

    /// <summary>Routes records whose event type is <paramref name="eventType"/> to <typeparamref name="THandler"/>.</summary>
    /// <typeparam name="TEvent">The event type the value is deserialized into.</typeparam>
    /// <typeparam name="THandler">The handler (registered scoped, unless already registered).</typeparam>
    /// <param name="eventType">The header's value. Null: <see cref="KafkaTopicAttribute.EventType"/> of <typeparamref name="TEvent"/>, or its full name (what the publisher writes).</param>
    /// <param name="deserializer">This route's deserializer. Null: <see cref="ConsumerOptions.Deserializer"/>, or System.Text.Json.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentException">A handler is already registered for the event type.</exception>
    public EventRoutes On<TEvent, THandler>(string? eventType = null, IEventDeserializer? deserializer = null)
        where THandler : class, IEventHandler<TEvent>
    {
        var type = eventType ?? DefaultEventType(typeof(TEvent));
        ArgumentException.ThrowIfNullOrWhiteSpace(type, nameof(eventType));
        if (_routes.Any(r => string.Equals(r.EventType, type, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"A handler for event type '{type}' is already registered on this consumer.", nameof(eventType));
        }

        _routes.Add(EventRoute.Create<TEvent, THandler>(type, deserializer));
        return this;
    }

    /// <summary>Routes every record no other route takes (another event type, or no header) to <typeparamref name="THandler"/>.</summary>
    /// <typeparam name="TEvent">The event type (<c>byte[]</c> takes the value as it is).</typeparam>
    /// <typeparam name="THandler">The handler (registered scoped, unless already registered).</typeparam>
    /// <param name="deserializer">The fallback's deserializer. Null: <see cref="ConsumerOptions.Deserializer"/>, or System.Text.Json.</param>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A fallback is already registered.</exception>
    public EventRoutes Fallback<TEvent, THandler>(IEventDeserializer? deserializer = null)
        where THandler : class, IEventHandler<TEvent>
    {
        if (_routes.Any(r => r.EventType is null))
        {
            throw new InvalidOperationException("This consumer already has a fallback handler.");
        }

        _routes.Add(EventRoute.Create<TEvent, THandler>(null, deserializer));
        return this;
    }

    /// <summary>The routes, in the order they were added.</summary>
    internal IReadOnlyList<EventRoute> Routes => _routes;

    /// <summary>The event type the publisher writes for <paramref name="type"/>.</summary>
    internal static string DefaultEventType(Type type) =>
        type.GetCustomAttribute<KafkaTopicAttribute>(inherit: false)?.EventType ?? type.FullName ?? type.Name;
}

/// <summary>One route: an event type (null for the fallback), how to register its handler and how to build its dispatcher.</summary>
internal sealed record EventRoute(
    string? EventType,
    Type HandlerType,
    IEventDeserializer? Deserializer,
    Action<IServiceCollection> Register,
    Func<IServiceProvider, IEventDeserializer, EventDispatcher> CreateDispatcher)
{
    public static EventRoute Create<TEvent, THandler>(string? eventType, IEventDeserializer? deserializer)
        where THandler : class, IEventHandler<TEvent> =>
        new(
            eventType,
            typeof(THandler),
            deserializer,
            services => services.TryAddScoped<THandler>(),
            (provider, fallback) => new EventDispatcher<THandler, TEvent>(provider, deserializer ?? fallback));
}

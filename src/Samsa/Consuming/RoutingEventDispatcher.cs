using System.Text;
using Confluent.Kafka;
using Samsa.Consuming.Retry;
using Samsa.Publishing;

namespace Samsa.Consuming;

/// <summary>
/// Sends each record to the dispatcher of its <see cref="SamsaHeaders.EventType"/> header (see <see cref="EventRoutes"/>),
/// or to the fallback. The route chosen when the record is deserialized is kept on its <see cref="ConsumeContext"/>
/// (one per partition, one record at a time) for the handler call.
/// </summary>
internal sealed class RoutingEventDispatcher : EventDispatcher
{
    private readonly Dictionary<string, EventDispatcher> _byType;
    private readonly EventDispatcher? _fallback;
    private readonly string _known;

    public RoutingEventDispatcher(IReadOnlyList<EventRoute> routes, IServiceProvider services, IEventDeserializer defaultDeserializer)
    {
        _byType = new Dictionary<string, EventDispatcher>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            var dispatcher = route.CreateDispatcher(services, defaultDeserializer);
            if (route.EventType is { } type)
            {
                _byType[type] = dispatcher;
            }
            else
            {
                _fallback = dispatcher;
            }
        }

        _known = string.Join(", ", _byType.Keys);
    }

    public override object? Deserialize(ConsumeResult<byte[]?, byte[]?> record, ConsumeContext context)
    {
        var headers = record.Message.Headers;
        string? type = null;
        if (headers is { Count: > 0 } && headers.TryGetLastBytes(SamsaHeaders.EventType, out var bytes) && bytes is not null)
        {
            type = Encoding.UTF8.GetString(bytes);
        }

        var route = (type is not null && _byType.TryGetValue(type, out var matched) ? matched : null)
            ?? _fallback
            ?? throw new PermanentFailureException(
                type is null
                    ? $"The record has no {SamsaHeaders.EventType} header and the consumer has no fallback handler (it handles {_known})."
                    : $"No handler for event type '{type}' (the consumer handles {_known}); add one with On<TEvent, THandler>(\"{type}\") or a Fallback.");
        context.Route = route;
        return route.Deserialize(record, context);
    }

    public override ValueTask HandleAsync(object? @event, ConsumeContext context, CancellationToken cancellationToken) =>
        (context.Route ?? throw new InvalidOperationException("The record was not routed before its handler call.")).HandleAsync(@event, context, cancellationToken);
}

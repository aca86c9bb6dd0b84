using Samsa.Broker.Handlers;
using Samsa.Protocol;

namespace Samsa.Broker.Control;

/// <summary>
/// The hooks a test harness uses to watch and disturb a running cluster, in the spirit of kfake's
/// <c>Control</c>: one request interceptor consulted before every handler, and cutting connections.
/// Without an interceptor a request costs one field read more than before. Cutting connections is
/// the broker's (SamsaBroker owns each node's listener): it hands that in as <paramref name="dropConnections"/>.
/// </summary>
internal sealed class BrokerControl(Func<Func<long, bool>, int> dropConnections)
{
    private volatile IRequestInterceptor? _interceptor;

    /// <summary>The interceptor every node consults; null (the default) serves requests unchanged.</summary>
    public IRequestInterceptor? Interceptor
    {
        get => _interceptor;
        set => _interceptor = value;
    }

    /// <summary>Serves one request through the interceptor when one is installed.</summary>
    public ValueTask<IKafkaResponse?> HandleAsync(IRequestHandler handler, RequestContext context, ReadOnlyMemory<byte> body)
    {
        var interceptor = _interceptor;
        return interceptor is null ? handler.HandleAsync(context, body) : interceptor.InterceptAsync(handler, context, body);
    }

    /// <summary>Cuts, on every running node, the connections whose id <paramref name="match"/> accepts; returns how many.</summary>
    public int DropConnections(Func<long, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return dropConnections(match);
    }
}

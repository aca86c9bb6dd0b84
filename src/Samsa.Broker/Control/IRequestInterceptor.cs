using Samsa.Broker.Handlers;
using Samsa.Protocol;

namespace Samsa.Broker.Control;

/// <summary>
/// Sees every request a node is about to serve, after its header and version were checked, and
/// decides what happens to it: serve it unchanged (<c>handler.HandleAsync(context, body)</c>), serve
/// it late, answer it with a response of its own (an injected error), or end the connection. It runs
/// on the connection's read loop, so a slow interceptor holds up only that connection.
/// Installed through <see cref="BrokerControl.Interceptor"/>; test harnesses (Samsa.Testing) use it.
/// </summary>
internal interface IRequestInterceptor
{
    /// <summary>
    /// Returns the response for the request in <paramref name="body"/> (null: none is sent, as for
    /// acks=0). <paramref name="body"/> is valid only until the returned task completes.
    /// </summary>
    ValueTask<IKafkaResponse?> InterceptAsync(IRequestHandler handler, RequestContext context, ReadOnlyMemory<byte> body);
}

using Samsa.Protocol;

namespace Samsa.Broker.Handlers;

/// <summary>Typed base of every handler: decodes <typeparamref name="TRequest"/> and hands it to <see cref="HandleAsync(RequestContext, TRequest)"/>.</summary>
internal abstract class RequestHandler<TRequest, TResponse> : IRequestHandler
    where TRequest : IKafkaRequest, new()
    where TResponse : class, IKafkaResponse
{
    public abstract ApiKey ApiKey { get; }

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    public ValueTask<IKafkaResponse?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body)
    {
        var request = new TRequest();
        var reader = new KafkaReader(body);
        request.Read(ref reader, context.ApiVersion);
        var pending = HandleAsync(context, request);
        if (pending.IsCompletedSuccessfully)
        {
            return new ValueTask<IKafkaResponse?>(pending.Result);
        }

        return Await(pending);

        static async ValueTask<IKafkaResponse?> Await(ValueTask<TResponse?> pending) => await pending.ConfigureAwait(false);
    }

    protected abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request);
}

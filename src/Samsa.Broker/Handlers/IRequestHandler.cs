using Samsa.Protocol;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Serves one Kafka API. A handler declares the versions it serves (the ApiVersions answer is built
/// from these), decodes the request body and returns the response, or null when none is sent
/// (Produce with acks=0). Kafka errors go into the response as error codes; an exception means
/// the connection cannot go on and closes it.
/// </summary>
internal interface IRequestHandler
{
    ApiKey ApiKey { get; }

    short MinVersion { get; }

    short MaxVersion { get; }

    ValueTask<IKafkaResponse?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body);
}

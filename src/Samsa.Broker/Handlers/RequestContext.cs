using System.Net;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Cluster;
using Samsa.Broker.Security;

namespace Samsa.Broker.Handlers;

/// <summary>Everything a handler may use while serving one request on one connection.</summary>
internal sealed class RequestContext
{
    private List<IDisposable>? _afterResponse;

    public required BrokerNode Node { get; init; }

    public required ClusterState Cluster { get; init; }

    public required short ApiVersion { get; init; }

    public required int CorrelationId { get; init; }

    public required string? ClientId { get; init; }

    public required EndPoint? RemoteEndPoint { get; init; }

    public required long ConnectionId { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>Cancelled when the connection or its node goes away.</summary>
    public required CancellationToken Aborted { get; init; }

    /// <summary>
    /// Who sent the request, as Kafka names principals: <c>User:alice</c> after SASL, the subject of a
    /// TLS client certificate (<c>User:CN=client,O=Acme</c>), else <c>User:ANONYMOUS</c>.
    /// </summary>
    public string Principal { get; init; } = KafkaPrincipal.Anonymous;

    /// <summary>The connection's SASL state machine; null when the listener does not use SASL.</summary>
    public SaslSession? Sasl { get; init; }

    /// <summary>Releases <paramref name="resource"/> once the response has been written (e.g. pooled fetch buffers).</summary>
    public void DisposeAfterResponse(IDisposable resource) => (_afterResponse ??= []).Add(resource);

    internal void ReleaseResponseResources()
    {
        if (_afterResponse is null)
        {
            return;
        }

        foreach (var resource in _afterResponse)
        {
            resource.Dispose();
        }

        _afterResponse = null;
    }
}

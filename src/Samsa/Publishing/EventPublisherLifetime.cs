using Microsoft.Extensions.Hosting;

namespace Samsa.Publishing;

/// <summary>
/// Flushes the publisher when the host stops, within <see cref="PublisherOptions.FlushTimeout"/> and the host's own
/// shutdown budget. Hosted services stop in reverse order, so the web server and the workers registered after this one
/// have stopped publishing by then. The publisher is disposed (and what is still queued purged) with the container.
/// </summary>
internal sealed class EventPublisherLifetime(EventPublisher publisher, PublisherOptions options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => publisher.FlushAsync(options.FlushTimeout, cancellationToken);
}

using Microsoft.Extensions.DependencyInjection;

namespace Samsa.Consuming;

/// <summary>
/// Resolves a handler: one registered as a singleton is resolved once; any other lifetime from a new service scope for
/// every call (found out at start by resolving it from two scopes).
/// </summary>
internal sealed class HandlerResolver<THandler>
    where THandler : class
{
    public HandlerResolver(IServiceProvider services)
    {
        Scopes = services.GetRequiredService<IServiceScopeFactory>();
        using var first = Scopes.CreateScope();
        using var second = Scopes.CreateScope();
        var one = first.ServiceProvider.GetRequiredService<THandler>();
        var two = second.ServiceProvider.GetRequiredService<THandler>();
        Singleton = ReferenceEquals(one, two) ? one : null;
    }

    /// <summary>Creates the scope of one call of a handler that is not a singleton.</summary>
    public IServiceScopeFactory Scopes { get; }

    /// <summary>The one shared instance, or null when the handler is resolved per call.</summary>
    public THandler? Singleton { get; }
}

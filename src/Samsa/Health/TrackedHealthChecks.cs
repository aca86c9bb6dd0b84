using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Samsa.Health;

/// <summary>Registers Samsa's health checks so that each runs through <see cref="TrackedHealthCheck"/> and the background refresh finds it.</summary>
internal static class TrackedHealthChecks
{
    /// <summary>On every Samsa check: <see cref="HealthRefreshService"/> runs these.</summary>
    public const string Tag = "samsa";

    /// <summary>Adds check <paramref name="name"/>, made by <paramref name="factory"/>, with <paramref name="tags"/> and <see cref="Tag"/>.</summary>
    public static void Add(IServiceCollection services, string name, Func<IServiceProvider, IHealthCheck> factory, params string[] tags)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthHistory>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            provider => new TrackedHealthCheck(name, factory(provider), provider.GetRequiredService<HealthHistory>()),
            failureStatus: null,
            tags: [.. tags, Tag]));
    }
}

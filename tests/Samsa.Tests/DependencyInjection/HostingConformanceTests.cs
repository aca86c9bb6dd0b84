using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Samsa.Diagnostics;

namespace Samsa.Tests.DependencyInjection;

/// <summary>
/// The checks every Samsa hosting feature passes (Aspire's conformance tests, for Samsa): its options type is sealed,
/// its service is a singleton, its health check is registered tagged ready and can be switched off, and bad options
/// fail the host's start, not the registration.
/// </summary>
/// <typeparam name="TOptions">The options type of the feature.</typeparam>
public abstract class HostingConformanceTests<TOptions>
    where TOptions : class
{
    /// <summary>
    /// The main service the feature registers. A <see cref="Type"/>, not a type parameter, because that service may be
    /// internal and a public test class cannot name an internal type in its base class.
    /// </summary>
    protected abstract Type ServiceType { get; }

    /// <summary>The feature's health check registration name, or null when it has none.</summary>
    protected abstract string? HealthCheckName { get; }

    /// <summary>Registers the feature on a test host builder; <paramref name="disableHealthChecks"/> switches its health check off.</summary>
    protected abstract void Register(HostApplicationBuilder builder, bool disableHealthChecks);

    /// <summary>Registers the feature with options that fail validation.</summary>
    protected abstract void RegisterInvalid(HostApplicationBuilder builder);

    [Fact]
    public void OptionsType_IsSealed() => Assert.True(typeof(TOptions).IsSealed);

    [Fact]
    public void Register_Service_IsOneSingleton()
    {
        using var host = Build(disableHealthChecks: false);

        var first = host.Services.GetRequiredService(ServiceType);
        using var scope = host.Services.CreateScope();

        Assert.Same(first, scope.ServiceProvider.GetRequiredService(ServiceType));
        Assert.Contains(Descriptors(), d => d.ServiceType == ServiceType && d.Lifetime == ServiceLifetime.Singleton);
    }

    [Fact]
    public void Register_HealthCheck_RegisteredAndTaggedReady()
    {
        Assert.SkipWhen(HealthCheckName is null, "The feature has no health check.");
        using var host = Build(disableHealthChecks: false);

        var registration = Assert.Single(Registrations(host), r => r.Name == HealthCheckName);
        Assert.Contains(SamsaNames.ReadyTag, registration.Tags);
    }

    [Fact]
    public void Register_DisableHealthChecks_NoHealthCheck()
    {
        Assert.SkipWhen(HealthCheckName is null, "The feature has no health check.");
        using var host = Build(disableHealthChecks: true);

        Assert.DoesNotContain(Registrations(host), r => r.Name == HealthCheckName);
    }

    [Fact]
    public async Task Register_InvalidOptions_BuildSucceedsAndStartFails()
    {
        var builder = SamsaTestHost.Builder();
        RegisterInvalid(builder);
        using var host = builder.Build();

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
    }

    private IHost Build(bool disableHealthChecks)
    {
        var builder = SamsaTestHost.Builder();
        Register(builder, disableHealthChecks);
        return builder.Build();
    }

    private List<ServiceDescriptor> Descriptors()
    {
        var builder = SamsaTestHost.Builder();
        Register(builder, disableHealthChecks: false);
        return [.. builder.Services];
    }

    private static ICollection<HealthCheckRegistration> Registrations(IHost host) =>
        host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
}

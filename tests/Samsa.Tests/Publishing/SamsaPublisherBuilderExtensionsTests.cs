using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Samsa.Diagnostics;
using Samsa.Publishing;

namespace Samsa.Tests.Publishing;

public sealed class SamsaPublisherBuilderExtensionsTests
{
    [Fact]
    public async Task AddPublisher_Registered_ResolvesOneSharedPublisherTrackerAndReadyTaggedHealthCheck()
    {
        var services = Services();

        services.AddSamsaKafka(Configuration()).AddPublisher(o => o.MapTopic<OrderPlaced>("orders-v2"));

        await using var provider = services.BuildServiceProvider();
        var publisher = provider.GetRequiredService<EventPublisher>();
        Assert.Same(publisher, provider.GetRequiredService<IEventPublisher>());
        Assert.Same(publisher.Errors, provider.GetRequiredService<ProducerErrorTracker>());
        Assert.Equal("orders-v2", provider.GetRequiredService<IOptions<PublisherOptions>>().Value.TopicMap[typeof(OrderPlaced)]);
        var check = Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == PublisherDefaults.HealthCheckName);
        Assert.Contains(SamsaNames.ReadyTag, check.Tags);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is EventPublisherLifetime);
    }

    [Fact]
    public void AddPublisher_CalledTwice_RegistersOnePublisherAndOneHealthCheck()
    {
        var services = Services();

        services.AddSamsaKafka(Configuration()).AddPublisher().AddPublisher();

        using var provider = services.BuildServiceProvider();
        Assert.Single(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == PublisherDefaults.HealthCheckName);
        Assert.Single(services, d => d.ServiceType == typeof(EventPublisher));
    }

    [Fact]
    public void AddPublisher_DisableHealthChecks_LeavesTheProducerCheckOut()
    {
        var services = Services();

        services.AddSamsaKafka(Configuration()).AddPublisher(o => o.DisableHealthChecks = true);

        using var provider = services.BuildServiceProvider();
        Assert.DoesNotContain(provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations, r => r.Name == PublisherDefaults.HealthCheckName);
    }

    [Fact]
    public void AddPublisher_FlushTimeoutZero_FailsValidationNamingTheSetting()
    {
        var services = Services();
        services.AddSamsaKafka(Configuration()).AddPublisher(o => o.FlushTimeout = TimeSpan.Zero);

        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PublisherOptions>>().Value);

        Assert.Contains("FlushTimeout", error.Message, StringComparison.Ordinal);
    }

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        return services;
    }

    private static IConfiguration Configuration() =>
        new ConfigurationBuilder().AddInMemoryCollection([new("Kafka:BootstrapServers", "127.0.0.1:9092")]).Build();
}

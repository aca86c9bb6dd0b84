using Microsoft.Extensions.Hosting;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Startup;

namespace Samsa.Tests.DependencyInjection;

/// <summary>The hosting conformance checks on <c>AddSamsaKafka</c>: the start-up gate and the Kafka health check.</summary>
public class SamsaKafkaConformanceTests : HostingConformanceTests<SamsaKafkaSettings>
{
    protected override Type ServiceType => typeof(KafkaReadinessGate);

    protected override string? HealthCheckName => SamsaNames.BrokerHealthCheck;

    protected override void Register(HostApplicationBuilder builder, bool disableHealthChecks)
    {
        builder.Configuration["Kafka:BootstrapServers"] = "localhost:9092";
        builder.AddSamsaKafka(configureSettings: s => s.DisableHealthChecks = disableHealthChecks);
    }

    protected override void RegisterInvalid(HostApplicationBuilder builder)
    {
        builder.Configuration["Kafka:BootstrapServers"] = "localhost:9092";
        builder.AddSamsaKafka(configureSettings: s => s.StartupTimeout = TimeSpan.Zero);
    }
}

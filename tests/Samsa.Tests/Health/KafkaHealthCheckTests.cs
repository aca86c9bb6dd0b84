using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Samsa.Diagnostics;
using Samsa.Health;
using Samsa.Tests.DependencyInjection;
using Samsa.TestUtils;

namespace Samsa.Tests.Health;

public class KafkaHealthCheckTests
{
    private const int Bound = 30_000;

    [Fact(Timeout = Bound)]
    public async Task CheckHealthAsync_BrokerRunning_HealthyWithBrokersAndController()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.NodeCount = 3);
        using var host = SamsaTestHost.Build(broker.BootstrapServers);

        var result = await Check(host);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(3, result.Data["brokers"]);
        Assert.Equal(0, result.Data["controller"]);
        Assert.Equal(broker.Broker.ClusterId, result.Data["clusterId"]);
        Assert.Equal("3 broker(s), controller 0", result.Description);
    }

    [Fact(Timeout = Bound)]
    public async Task CheckHealthAsync_AfterBrokerStops_UnhealthyWithinTimeout()
    {
        var broker = await EmbeddedBroker.StartAsync();
        using var host = SamsaTestHost.Build(broker.BootstrapServers, settings: s => s.HealthCheckTimeout = TimeSpan.FromSeconds(2));
        Assert.Equal(HealthStatus.Healthy, (await Check(host)).Status);

        await broker.DisposeAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await Check(host);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(6));
        Assert.NotNull(result.Exception);
        Assert.True(result.Data.ContainsKey("error"));
    }

    [Fact(Timeout = Bound)]
    public async Task CheckHealthAsync_NothingListens_UnhealthyAndDoesNotThrow()
    {
        using var host = SamsaTestHost.Build($"127.0.0.1:{Startup.StartupTestSupport.ClosedPort()}", settings: s => s.HealthCheckTimeout = TimeSpan.FromSeconds(1));

        var result = await Check(host);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("did not answer a metadata request within 1 s", result.Description, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task CheckHealthAsync_InvalidOptions_UnhealthyAndDoesNotThrow()
    {
        using var host = SamsaTestHost.Build("broker-without-port");

        var result = await Check(host);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("broker-without-port", result.Description, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task HealthCheckService_RegisteredCheck_TaggedReadyAnswersFromTheLatestRefresh()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        using var host = SamsaTestHost.Build(broker.BootstrapServers);
        var checks = host.Services.GetRequiredService<HealthCheckService>();

        var before = await checks.CheckHealthAsync(r => r.Tags.Contains(SamsaNames.ReadyTag), TestContext.Current.CancellationToken);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var refresh = host.Services.GetRequiredService<HealthRefreshService>();
        while (refresh.Rounds == 0)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var after = await checks.CheckHealthAsync(r => r.Tags.Contains(SamsaNames.ReadyTag), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, before.Entries[SamsaNames.BrokerHealthCheck].Status);
        Assert.Contains("not finished", before.Entries[SamsaNames.BrokerHealthCheck].Description, StringComparison.Ordinal);
        var entry = after.Entries[SamsaNames.BrokerHealthCheck];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains(SamsaNames.ReadyTag, entry.Tags);
        Assert.True(entry.Data.ContainsKey("lastSuccess"));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private static Task<HealthCheckResult> Check(IHost host)
    {
        var check = host.Services.GetRequiredService<KafkaHealthCheck>();
        var context = new HealthCheckContext
        {
            Registration = new HealthCheckRegistration(SamsaNames.BrokerHealthCheck, check, HealthStatus.Unhealthy, [SamsaNames.ReadyTag]),
        };
        return check.CheckHealthAsync(context, TestContext.Current.CancellationToken);
    }
}

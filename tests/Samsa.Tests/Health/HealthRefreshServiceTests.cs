using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Samsa.Diagnostics;
using Samsa.Health;
using Samsa.TestUtils;
using Samsa.Tests.DependencyInjection;

namespace Samsa.Tests.Health;

/// <summary>The background refresh on a clock the test moves, against the embedded broker stopped and started again.</summary>
public sealed class HealthRefreshServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteAsync_BrokerStopsAndRestarts_ReadinessFollowsOnePeriodLaterAndLogsOneLinePerChange()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        using var host = SamsaTestHost.Build(
            broker.BootstrapServers,
            samsa => samsa.Services.AddSingleton<TimeProvider>(time),
            settings => settings.HealthCheckTimeout = TimeSpan.FromSeconds(2));
        await host.StartAsync(Token);
        var refresh = host.Services.GetRequiredService<HealthRefreshService>();
        var checks = host.Services.GetRequiredService<HealthCheckService>();

        await WaitForRoundAsync(refresh, 1);
        Assert.Equal(HealthStatus.Healthy, (await ReadyAsync(checks)).Status);

        await broker.Broker.StopNodeAsync(0);

        // Until the next refresh readiness answers from the last result, at once, without asking Kafka.
        var clock = Stopwatch.StartNew();
        var cached = await ReadyAsync(checks);
        Assert.Equal(HealthStatus.Healthy, cached.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"readiness took {clock.Elapsed}");
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, refresh.Rounds);

        time.Advance(TimeSpan.FromSeconds(1));
        await WaitForRoundAsync(refresh, 2);
        var down = await ReadyAsync(checks);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        var entry = down.Entries[SamsaNames.BrokerHealthCheck];
        Assert.True(entry.Data.ContainsKey("lastSuccess"));
        Assert.True(entry.Data.ContainsKey("lastErrorAt"));

        time.Advance(TimeSpan.FromSeconds(30));
        await WaitForRoundAsync(refresh, 3);
        Assert.Equal(HealthStatus.Unhealthy, (await ReadyAsync(checks)).Status);

        await broker.Broker.StartNodeAsync(0);
        var rounds = 3L;
        while ((await ReadyAsync(checks)).Status != HealthStatus.Healthy)
        {
            Assert.True(rounds < 12, "the check did not see the broker back within 9 refreshes");
            time.Advance(TimeSpan.FromSeconds(30));
            await WaitForRoundAsync(refresh, ++rounds);
        }

        var changes = host.Logs().Where(log => log.Id.Id == 2020 && log.Message.Contains("check kafka", StringComparison.Ordinal)).Select(log => log.Message).ToList();
        Assert.Equal(3, changes.Count);
        Assert.StartsWith("Health check kafka is now Healthy (was Unknown)", changes[0], StringComparison.Ordinal);
        Assert.StartsWith("Health check kafka is now Unhealthy (was Healthy)", changes[1], StringComparison.Ordinal);
        Assert.StartsWith("Health check kafka is now Healthy (was Unhealthy)", changes[2], StringComparison.Ordinal);
        await host.StopAsync(Token);
    }

    private static Task<HealthReport> ReadyAsync(HealthCheckService checks) =>
        checks.CheckHealthAsync(registration => registration.Tags.Contains(SamsaNames.ReadyTag), Token);

    private static async Task WaitForRoundAsync(HealthRefreshService refresh, long round)
    {
        var clock = Stopwatch.StartNew();
        while (refresh.Rounds < round)
        {
            if (clock.Elapsed > Wait)
            {
                throw new TimeoutException($"Waited {Wait.TotalSeconds} s for refresh round {round} (at {refresh.Rounds}).");
            }

            await Task.Delay(20, Token);
        }
    }
}

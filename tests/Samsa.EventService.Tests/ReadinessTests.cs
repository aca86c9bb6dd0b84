using System.Diagnostics;
using System.Net;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests;

/// <summary><c>/health/ready</c> of an idle EventService, in real time with a short refresh interval, while its broker stops and starts.</summary>
public sealed class ReadinessTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(800);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_BrokerStopsThenRestarts_NotReadyWithinOneIntervalAndReadyAgain()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var app = new EventServiceApp("Development", new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = broker.BootstrapServers,
            ["Kafka:Hosting:HealthCheckInterval"] = "00:00:01",
            ["Kafka:Hosting:HealthCheckTimeout"] = "00:00:00.800",
        });
        app.StartServer();
        using var client = app.CreateClient();
        await WaitForStatusAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(20));

        await broker.Broker.StopNodeAsync(0);
        var stopped = Stopwatch.StartNew();

        // One interval, plus the probe's own time limit, plus a margin for a loaded machine.
        await WaitForStatusAsync(client, HttpStatusCode.ServiceUnavailable, Interval + ProbeTimeout + TimeSpan.FromSeconds(3));
        var notReadyAfter = stopped.Elapsed;
        using var notReady = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Token);
        var body = await notReady.Content.ReadAsStringAsync(Token);
        Assert.Contains("\"lastSuccess\"", body, StringComparison.Ordinal);
        Assert.Contains("\"lastError\"", body, StringComparison.Ordinal);

        await broker.Broker.StartNodeAsync(0);
        await WaitForStatusAsync(client, HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.True(notReadyAfter < Interval + ProbeTimeout + TimeSpan.FromSeconds(3), $"not ready after {notReadyAfter}");
    }

    private static async Task WaitForStatusAsync(HttpClient client, HttpStatusCode expected, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), Token);
            if (response.StatusCode == expected)
            {
                return;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"/health/ready answered {(int)response.StatusCode}, not {(int)expected}, for {limit.TotalSeconds:0.#} s: {await response.Content.ReadAsStringAsync(Token)}");
            }

            await Task.Delay(50, Token);
        }
    }
}

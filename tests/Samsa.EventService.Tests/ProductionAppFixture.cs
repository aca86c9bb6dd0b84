using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests;

/// <summary>
/// EventService configured as in Production (its own Kafka, API keys under <c>Operations</c>), on Kestrel at a free
/// port, against an embedded broker: a key that may only read and one that may also replay.
/// </summary>
public sealed class ProductionAppFixture : IAsyncLifetime
{
    public const string ReaderKey = "reader-key-0123456789abcdef";
    public const string OperatorKey = "operator-key-0123456789abcdef";

    private EmbeddedBroker? _broker;

    public EventServiceApp App { get; private set; } = null!;

    /// <summary>The service's address (real HTTP over loopback).</summary>
    public Uri Address { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _broker = await EmbeddedBroker.StartAsync();
        App = new EventServiceApp("Production", new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = _broker.BootstrapServers,
            ["Kafka:Profile"] = "Development",
            ["Kafka:AllowPlaintextInProduction"] = "true",
            ["Kafka:Monitoring:Interval"] = "00:00:01",
            ["Operations:ApiKeys:reader:Key"] = ReaderKey,
            ["Operations:ApiKeys:reader:Scopes:0"] = "read",
            ["Operations:ApiKeys:operator:Key"] = OperatorKey,
            ["Operations:ApiKeys:operator:Scopes:0"] = "read",
            ["Operations:ApiKeys:operator:Scopes:1"] = "replay",
        });
        App.StartServer();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>A client of its own (cookies kept, redirects not followed), sending <paramref name="apiKey"/> in <c>X-Api-Key</c> when given.</summary>
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }, disposeHandler: true)
        {
            BaseAddress = Address,
        };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}

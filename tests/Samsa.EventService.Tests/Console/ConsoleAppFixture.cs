using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Samsa.EventService.Tests.Console;

/// <summary>
/// A Development EventService (embedded broker) whose lag monitor reads every second and also watches
/// <see cref="LagGroup"/>, with a headless browser beside it.
/// </summary>
public sealed class ConsoleAppFixture : IAsyncLifetime
{
    public const string LagGroup = "console-lag-test";

    public EventServiceApp App { get; } = new("Development", new Dictionary<string, string?>
    {
        ["Kafka:Monitoring:Interval"] = "00:00:01",
        ["Kafka:Monitoring:Groups:0"] = LagGroup,
    });

    public HttpClient Client { get; private set; } = null!;

    public ChromeBrowser Browser { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        App.StartServer();
        Client = App.CreateClient();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        Browser = new ChromeBrowser();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Browser?.Dispose();
        Client?.Dispose();
        await App.DisposeAsync();
    }
}

using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.TestUtils;

namespace Samsa.Chaos.Tests.Support;

/// <summary>The real EventService (Development: its embedded broker) on Kestrel at a free loopback port, for raw HTTP.</summary>
internal sealed class EventServiceHost : WebApplicationFactory<Program>
{
    public EventServiceHost()
    {
        NativeKafka.EnsureLoaded();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public string BootstrapServers => string.Join(',', Services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers);

    public Uri Address => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Development");
}

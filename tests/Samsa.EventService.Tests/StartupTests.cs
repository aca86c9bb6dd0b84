using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Samsa.EventService.Embedded;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests;

public sealed class StartupTests
{
    [Fact]
    public async Task Start_ProductionWithoutBootstrapServers_FailsWithMessageNamingKafkaBootstrapServers()
    {
        await using var app = new EventServiceApp("Production");

        var error = Assert.ThrowsAny<Exception>(app.StartServer);

        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DevelopmentWithBootstrapConfigured_UsesItAndStartsNoEmbeddedBroker()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var app = new EventServiceApp("Development", new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = broker.BootstrapServers });

        app.StartServer();
        using var client = app.CreateClient();
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(broker.BootstrapServers, app.BootstrapServers);
        Assert.Null(app.Services.GetService<EmbeddedKafka>());
    }

    [Fact]
    public async Task Start_DevelopmentWithoutBootstrapServers_EmbedsABrokerOnLoopback()
    {
        await using var app = new EventServiceApp("Development");

        app.StartServer();

        var embedded = app.Services.GetRequiredService<EmbeddedKafka>();
        Assert.Equal(embedded.BootstrapServers, app.BootstrapServers);
        Assert.StartsWith("127.0.0.1:", embedded.BootstrapServers, StringComparison.Ordinal);
    }

    private static string Flatten(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(inner => inner.Message));
            }
        }

        return string.Join("\n", messages);
    }
}

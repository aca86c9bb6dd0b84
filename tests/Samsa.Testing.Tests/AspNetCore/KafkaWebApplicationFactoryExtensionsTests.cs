using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Protocol;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Testing.Tests.AspNetCore;

/// <summary>The reference EventService (an AddSamsaKafka service) pointed at a test cluster through WebApplicationFactory.</summary>
public sealed class KafkaWebApplicationFactoryExtensionsTests : ClusterTestBase
{
    [Fact]
    public async Task WithKafka_EventService_PublishesToTheTestCluster()
    {
        const string topic = "orders"; // the topic the EventService declares (it serves declared topics only)
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseEnvironment("Development")).WithKafka(Kafka);
        using var client = app.CreateClient();

        using var response = await client.PostAsync($"/events/{topic}", new StringContent("{\"n\":1}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal([Kafka.BootstrapServers], app.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers);
        Assert.Equal(["{\"n\":1}"], (await Kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Message.Value));
        Assert.Single(Kafka.Requests.Produced(topic));
    }

    [Fact]
    public async Task WithKafka_BrokerRejectsThePublish_ServiceDoesNotReportCreated()
    {
        const string topic = "orders"; // the topic the EventService declares (it serves declared topics only)
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseEnvironment("Development")).WithKafka(Kafka);
        using var client = app.CreateClient();
        var fault = Kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.PolicyViolation, filter: new Samsa.Testing.Faults.RequestFilter { Topic = topic });

        using var response = await client.PostAsync($"/events/{topic}", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.NotEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, fault.TimesApplied);
        Assert.Empty(await Kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken));
    }
}

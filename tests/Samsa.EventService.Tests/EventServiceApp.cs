using System.Net;
using Confluent.Kafka;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests;

/// <summary>The real EventService (its Program), on Kestrel at a free loopback port.</summary>
public sealed class EventServiceApp : WebApplicationFactory<Program>
{
    private readonly string _environment;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public EventServiceApp(string environment = "Development", IReadOnlyDictionary<string, string?>? settings = null)
    {
        NativeKafka.EnsureLoaded();
        _environment = environment;
        _settings = settings ?? new Dictionary<string, string?>();
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>The bootstrap servers the app's Kafka options resolved to (the embedded broker's in Development).</summary>
    public string BootstrapServers => string.Join(',', Services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers);

    public IConsumer<string?, string> CreateConsumer(string topic)
    {
        var consumer = new ConsumerBuilder<string?, string>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = $"eventservice-tests-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 50,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        return consumer;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>One Development app (embedded broker) shared by a test class.</summary>
public sealed class DevelopmentAppFixture : IAsyncLifetime
{
    public EventServiceApp App { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        App.StartServer();
        Client = App.CreateClient();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

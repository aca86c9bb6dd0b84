using GettingStarted;
using Samsa.Broker;

var builder = Host.CreateApplicationBuilder(args);

// In Development without KAFKA_BOOTSTRAP_SERVERS, run Kafka in this process (Samsa.Broker, on a free port).
var bootstrapServers = builder.Configuration["Kafka:BootstrapServers"] ?? Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
await using var broker = builder.Environment.IsDevelopment() && string.IsNullOrEmpty(bootstrapServers)
    ? await SamsaBroker.StartAsync(new BrokerOptions())
    : null;

builder.AddSamsaKafka(kafka =>
    {
        if (broker is not null)
        {
            kafka.BootstrapServers = [broker.BootstrapServers];
        }
    })
    .AddTopic(OrderPlaced.Topic)
    .AddPublisher()
    .AddConsumer<OrderPlacedHandler, OrderPlaced>(OrderPlaced.Topic, "order-service", consumer =>
    {
        // A transient failure is retried in place, then once more from orders.retry.1 after 2 s;
        // what still fails, or fails permanently, goes to orders.dlq.
        consumer.Retry.RetryTopicDelays = [TimeSpan.FromSeconds(2)];
    });
builder.Services.AddHostedService<OrderGenerator>();

using var host = builder.Build();

// A bad setting or an unreachable cluster: one log line and exit code 2 or 3, no stack trace.
return await host.RunSamsaAsync();

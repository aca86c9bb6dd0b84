using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Text.Json;
using Samsa.Chaos.Worker;

// The fault suite's consumer process (scenario 2): one Samsa consumer of ChaosWorker:InputTopic in ChaosWorker:Group
// whose handler writes each record it handles to ChaosWorker:HandledFile and produces it, as it is, to
// ChaosWorker:OutputTopic; at least once, or exactly once with ChaosWorker:ExactlyOnce=true. Configured through
// environment variables (ChaosWorker__InputTopic, KAFKA_BOOTSTRAP_SERVERS, ...). Prints "chaos worker started" once
// the host has started. The test kills it with SIGKILL and starts another with the same ChaosWorker:InstanceId.
var builder = Host.CreateApplicationBuilder(args);
var settings = builder.Configuration.GetSection("ChaosWorker");
string Required(string key) => settings[key] is { Length: > 0 } value ? value : throw new InvalidOperationException($"ChaosWorker:{key} is not set.");

var input = Required("InputTopic");
var output = Required("OutputTopic");
var group = Required("Group");
var instanceId = Required("InstanceId");
var exactlyOnce = settings.GetValue<bool>("ExactlyOnce");

builder.Services.AddSingleton(new HandledLog(Required("HandledFile")));
builder.Services.AddSingleton(new RecordingHandler.Target(output));

// A singleton, so that every partition's records go through the one log.
builder.Services.AddSingleton<RecordingHandler>();
builder.AddSamsaKafka()
    .AddConsumer<RecordingHandler, JsonElement>(input, group, options =>
    {
        options.ExactlyOnce = exactlyOnce;

        // Static membership with the same instance id across restarts: the restarted process takes the killed one's
        // place at once (and, exactly once, fences its transactional producer) instead of waiting out its session.
        options.InstanceId = instanceId;
        options.StaticMembership = true;
        options.CommitInterval = TimeSpan.FromMilliseconds(100);
        options.ConfigureConsumer = consumer =>
        {
            // Bounds the wait should the killed member be kept until its session ends.
            consumer.SessionTimeoutMs = 6_000;
            consumer.HeartbeatIntervalMs = 1_000;
        };
    });

var host = builder.Build();
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => Console.WriteLine("chaos worker started"));
return await host.RunSamsaAsync();

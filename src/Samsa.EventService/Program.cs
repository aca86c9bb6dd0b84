using Samsa.Diagnostics;
using Samsa.EventService;
using Samsa.EventService.Embedded;
using Samsa.EventService.Endpoints;
using Samsa.EventService.SamplePipeline;

// Samsa.EventService: the reference service. POST /events/{topic} publishes a JSON event through IEventPublisher and
// answers once Kafka has acknowledged it; /health/live and /health/ready for the orchestrator. The sample pipeline
// consumes "events" with a handler that fails when an event asks it to ("fail": "transient" | "transient-once" |
// "permanent" | "permanent-once"), so retry, the dead-letter topic and replay can be watched: GET /events/events/handled,
// GET /pipeline, GET /dlq/events, POST /dlq/events/replay.
// In Development without KAFKA_BOOTSTRAP_SERVERS it runs on an embedded Samsa.Broker (and says so);
// anywhere else it refuses to start until KAFKA_BOOTSTRAP_SERVERS (and the production security settings) are set.
var builder = WebApplication.CreateBuilder(args);

var embedded = await EmbeddedKafka.StartIfNeededAsync(builder);

builder.Services.AddOptions<EventServiceOptions>().BindConfiguration(EventServiceOptions.SectionName);
builder.Services.AddProblemDetails();
builder.AddSamsaKafka()
    .AddPublisher()
    .AddSamplePipeline();

var app = builder.Build();
if (embedded is not null)
{
    embedded.LogStarted(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Samsa.EventService.EmbeddedKafka"));

    // Created now, before anything that publishes, so the container disposes it last.
    app.Services.GetRequiredService<EmbeddedKafka>();
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapEventEndpoints();
app.MapPipelineEndpoints();
app.MapDeadLetterEndpoints();
app.MapHealthEndpoints();
app.MapGet("/", () => Results.Redirect(HealthEndpoints.ReadyPath)).ExcludeFromDescription();

await app.RunAsync();

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;

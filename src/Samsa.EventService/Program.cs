using Samsa.Diagnostics;
using Samsa.EventService;
using Samsa.EventService.Embedded;
using Samsa.EventService.Endpoints;
using Samsa.EventService.SamplePipeline;
using Samsa.EventService.Telemetry;

// Samsa.EventService: the reference service. POST /events/{topic} publishes a JSON event through IEventPublisher and
// answers once Kafka has acknowledged it; /health/live and /health/ready for the orchestrator. The sample pipeline
// consumes "events" with a handler that fails when an event asks it to ("fail": "transient" | "transient-once" |
// "permanent" | "permanent-once"), so retry, the dead-letter topic and replay can be watched: GET /events/events/handled,
// GET /pipeline, GET /dlq/events, POST /dlq/events/replay, and the operations console at /console.
// In Development without KAFKA_BOOTSTRAP_SERVERS it runs on an embedded Samsa.Broker (and says so);
// anywhere else it refuses to start until KAFKA_BOOTSTRAP_SERVERS (and the production security settings) are set.
var builder = WebApplication.CreateBuilder(args);

var embedded = await EmbeddedKafka.StartIfNeededAsync(builder);

builder.Services.AddOptions<EventServiceOptions>().BindConfiguration(EventServiceOptions.SectionName);
builder.Services.AddProblemDetails();
builder.AddSamsaKafka()
    .AddPublisher()
    .AddSamplePipeline();
builder.AddEventServiceTelemetry();

// Console, lag, dead letters, replay, health details and metrics need an API key (section Operations) outside Development.
builder.AddSamsaOperationsSecurity();

var app = builder.Build();
if (embedded is not null)
{
    embedded.LogStarted(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Samsa.EventService.EmbeddedKafka"));

    // Created now, before anything that publishes, so the container disposes it last.
    app.Services.GetRequiredService<EmbeddedKafka>();
}

app.UseExceptionHandler();
app.UseStatusCodePages();

// POST /events/.. would reach routing as POST / (Kestrel removes dot segments): answer what is wrong with the topic instead.
app.UseDotSegmentTopicCheck("/events", "/dlq");
app.UseAuthentication();
app.UseAuthorization();
app.MapEventEndpoints();
app.MapPipelineEndpoints(failureSwitches: app.Environment.IsDevelopment());
app.MapDeadLetterEndpoints();
app.MapHealthEndpoints();
app.MapTelemetryEndpoints();
app.MapSamsaConsole();
app.MapGet("/", () => Results.Redirect(HealthEndpoints.ReadyPath)).ExcludeFromDescription();

// A start-up that fails validation or the Kafka start-up gate logs why once and exits 2 or 3 (SamsaExitCodes).
return await app.RunSamsaAsync();

/// <summary>The entry point, visible to the tests' <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;

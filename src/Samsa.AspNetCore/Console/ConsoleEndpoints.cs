using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Samsa.AspNetCore.Security;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;
using Samsa.Provisioning;

namespace Samsa.AspNetCore.Console;

/// <summary>
/// The console's routes below its path (default <c>/console</c>): the page, its assets, sign-in and sign-out, and the
/// JSON the page polls (<c>api/session</c>, <c>api/overview</c>, <c>api/consumers</c>, <c>api/producer</c>,
/// <c>api/dlq/{topic}</c>, <c>POST api/dlq/{topic}/replay</c>).
/// </summary>
internal sealed class ConsoleEndpoints
{
    /// <summary>Most dead letters a "replay selected" names at once.</summary>
    public const int MaxSelected = 100;

    private readonly string _path;
    private readonly Lazy<Readers> _readers;

    public ConsoleEndpoints(IServiceProvider services, string path)
    {
        _path = path;
        if (services.GetService<IServiceProviderIsService>() is { } registered && !registered.IsService(typeof(ApiKeyStore)))
        {
            throw new InvalidOperationException(
                "MapSamsaConsole needs the operations security: call builder.AddSamsaOperationsSecurity() before building the app (the console is never served unprotected outside Development).");
        }

        // Built on the first request, not here: resolving the options now would validate them before RunSamsaAsync can
        // turn a validation failure into its one log line and exit code.
        _readers = new Lazy<Readers>(() => new Readers(services), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private OverviewReader Overview => _readers.Value.Overview;

    private ConsumersReader Consumers => _readers.Value.Consumers;

    private ProducerReader Producer => _readers.Value.Producer;

    private ApiKeyStore Keys => _readers.Value.Keys;

    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints)
    {
        var console = endpoints.MapGroup(_path).ExcludeFromDescription();
        console.MapGet("/", (Func<HttpContext, Task<IResult>>)PageAsync);
        console.MapGet("/assets/{name}", Asset);
        console.MapPost("/login", (Func<HttpContext, Task<IResult>>)SignInAsync).DisableAntiforgery();
        console.MapPost("/logout", (Func<HttpContext, Task<IResult>>)SignOutAsync).DisableAntiforgery();

        var api = console.MapGroup("/api").RequireAuthorization(OperationsPolicies.Read);
        api.MapGet("/session", (Func<HttpContext, Task<IResult>>)Session);
        api.MapGet("/overview", (CancellationToken cancellationToken) => Overview.ReadAsync(cancellationToken));
        api.MapGet("/consumers", () => Consumers.Read());
        api.MapGet("/producer", () => Producer.Read());
        api.MapGet("/dlq", DeadLetterTopics);
        api.MapGet("/dlq/{topic}", ListAsync);
        api.MapPost("/dlq/{topic}/replay", ReplayAsync).RequireAuthorization(OperationsPolicies.Replay).DisableAntiforgery();
        return console;
    }

    private async Task<IResult> PageAsync(HttpContext context)
    {
        if (!context.Request.Path.Value!.EndsWith('/'))
        {
            // Relative asset and API addresses in the page resolve below the console's path.
            return TypedResults.Redirect(context.Request.PathBase + _path + "/");
        }

        context.Response.Headers.CacheControl = "no-store";
        if (!await OperationsAccess.IsAllowedAsync(context, OperationsPolicies.Read))
        {
            return SignInPage(context, error: null);
        }

        return TypedResults.Bytes(ConsoleAssets.Find("index.html")!.Value.Content, "text/html; charset=utf-8");
    }

    private static IResult Asset(string name)
    {
        // The page itself is served only to a signed-in caller (PageAsync); the script and style hold no data.
        return name != "index.html" && name != "signin.html" && ConsoleAssets.Find(name) is { } asset
            ? TypedResults.Bytes(asset.Content, asset.ContentType)
            : TypedResults.NotFound();
    }

    private static IResult SignInPage(HttpContext context, string? error)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var html = ConsoleAssets.Text("signin.html")
            .Replace("{{token}}", WebUtility.HtmlEncode(tokens.RequestToken), StringComparison.Ordinal)
            .Replace("{{tokenField}}", WebUtility.HtmlEncode(tokens.FormFieldName), StringComparison.Ordinal)
            .Replace("{{error}}", error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>", StringComparison.Ordinal);
        return TypedResults.Content(html, "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
    }

    private async Task<IResult> SignInAsync(HttpContext context)
    {
        if (await OperationsAccess.ValidateAntiforgeryAsync(context) is { } forged)
        {
            return forged;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var principal = form["apiKey"] is { Count: 1 } key && !string.IsNullOrEmpty(key[0]) ? Keys.Authenticate(key[0]!, ConsoleCookie.SchemeName) : null;
        if (principal is null)
        {
            return SignInPage(context, "That API key is not valid.");
        }

        await context.SignInAsync(ConsoleCookie.SchemeName, principal);
        return TypedResults.Redirect(context.Request.PathBase + _path + "/");
    }

    private async Task<IResult> SignOutAsync(HttpContext context)
    {
        if (await OperationsAccess.ValidateAntiforgeryAsync(context) is { } forged)
        {
            return forged;
        }

        await context.SignOutAsync(ConsoleCookie.SchemeName);
        return TypedResults.Redirect(context.Request.PathBase + _path + "/");
    }

    private async Task<IResult> Session(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var authenticated = await context.AuthenticateAsync(OperationsAccess.SchemeName);
        return TypedResults.Json(new ConsoleSession(
            authenticated.Succeeded ? authenticated.Principal.Identity?.Name : null,
            Keys.IsEmpty,
            await OperationsAccess.IsAllowedAsync(context, OperationsPolicies.Replay),
            tokens.HeaderName ?? "RequestVerificationToken",
            tokens.RequestToken));
    }

    private IResult DeadLetterTopics() => TypedResults.Json(
        Consumers.Workers.Select(w => new ConsoleDeadLetterTopic(w.Topic, w.GroupId, w.Options.EffectiveDeadLetterTopic)).DistinctBy(t => t.DeadLetterTopic).ToList());

    private static IResult? InvalidTopic(string topic) => TopicNameRules.Explain(topic) is { } explanation
        ? TypedResults.Problem(detail: explanation, statusCode: StatusCodes.Status400BadRequest, title: "Invalid topic name")
        : null;

    private string DeadLetterTopicOf(string topic) =>
        Consumers.Workers.FirstOrDefault(w => w.Topic == topic)?.Options.EffectiveDeadLetterTopic ?? RetryTopicNames.DeadLetter(topic);

    private async Task<IResult> ListAsync(string topic, [AsParameters] DeadLetterFilterQuery filter, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        var deadLetterTopic = DeadLetterTopicOf(topic);
        if ((InvalidTopic(topic) ?? InvalidTopic(deadLetterTopic)) is { } invalid)
        {
            return invalid;
        }

        try
        {
            return TypedResults.Json(await replayer.ListAsync(deadLetterTopic, filter.ToFilter(), cancellationToken));
        }
        catch (Exception exception) when (exception is ReplayException or TimeoutException)
        {
            return Problem(deadLetterTopic, exception);
        }
    }

    private async Task<IResult> ReplayAsync(
        HttpContext context, string topic, [AsParameters] DeadLetterFilterQuery filter, bool? dryRun, int? maxRecords, DeadLetterReplayer replayer, CancellationToken cancellationToken)
    {
        // The console is a browser page: every state change carries its anti-forgery token, whoever is signed in.
        if (await OperationsAccess.ValidateAntiforgeryAsync(context) is { } forged)
        {
            return forged;
        }

        var selected = context.Request.ContentLength is > 0
            ? await JsonSerializer.DeserializeAsync<ConsoleReplaySelection>(context.Request.Body, JsonSerializerOptions.Web, cancellationToken)
            : null;
        if (selected?.Records is { Count: > MaxSelected })
        {
            return TypedResults.Problem(detail: $"At most {MaxSelected} dead letters can be selected at once; replay by filter instead.", statusCode: StatusCodes.Status400BadRequest, title: "Too many selected");
        }

        var deadLetterTopic = DeadLetterTopicOf(topic);
        if ((InvalidTopic(topic) ?? InvalidTopic(deadLetterTopic)) is { } invalid)
        {
            return invalid;
        }

        var filters = selected?.Records is { Count: > 0 } records
            ? records.Select(r => (filter with { OriginalPartition = r.Partition, FromOffset = r.Offset, ToOffset = r.Offset }).ToFilter()).ToList()
            : [filter.ToFilter()];
        try
        {
            var results = new List<ReplayResult>();
            foreach (var each in filters)
            {
                results.Add(await replayer.ReplayAsync(
                    new ReplayOptions { DeadLetterTopic = deadLetterTopic, Filter = each, DryRun = dryRun ?? true, MaxRecords = maxRecords },
                    cancellationToken));
            }

            return TypedResults.Json(new ConsoleReplayResult(
                dryRun ?? true,
                results.Sum(r => r.Matched),
                results.Sum(r => r.Replayed),
                results.Sum(r => r.AlreadyReplayed),
                results.Sum(r => r.Unreplayable),
                [.. results.SelectMany(r => r.Records)]));
        }
        catch (ArgumentOutOfRangeException exception)
        {
            return TypedResults.Problem(detail: exception.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid replay limit");
        }
        catch (Exception exception) when (exception is ReplayException or TimeoutException)
        {
            return Problem(deadLetterTopic, exception);
        }
    }

    private static IResult Problem(string deadLetterTopic, Exception exception) => exception is ReplayException { TopicMissing: true }
        ? TypedResults.Problem(detail: $"The dead-letter topic '{deadLetterTopic}' does not exist yet: nothing was dead-lettered.", statusCode: StatusCodes.Status404NotFound, title: "No dead-letter topic")
        : TypedResults.Problem(detail: exception.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Kafka could not be read or written");
}

/// <summary>What the console's pages read from, built once from the application's services.</summary>
internal sealed class Readers
{
    public Readers(IServiceProvider services)
    {
        Keys = services.GetRequiredService<ApiKeyStore>();
        var admin = new ConsoleAdmin(services.GetRequiredService<Samsa.DependencyInjection.IKafkaAdminClientFactory>());
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(admin.Dispose);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        Overview = new OverviewReader(
            admin,
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Samsa.Configuration.KafkaOptions>>(),
            services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>(),
            time,
            services.GetService<Samsa.Startup.KafkaReadinessGate>());
        Consumers = new ConsumersReader(services.GetServices<IHostedService>(), time, services.GetService<Samsa.Monitoring.ConsumerLagMonitor>());
        Producer = new ProducerReader(time, services.GetService<Samsa.Publishing.EventPublisher>());
    }

    public ApiKeyStore Keys { get; }

    public OverviewReader Overview { get; }

    public ConsumersReader Consumers { get; }

    public ProducerReader Producer { get; }
}

/// <summary>Who is signed in, whether the surface is open (Development without keys), whether they may replay, and the anti-forgery token for state changes.</summary>
internal sealed record ConsoleSession(string? User, bool Open, bool CanReplay, string AntiforgeryHeader, string? AntiforgeryToken);

/// <summary>A dead-letter topic of one of this service's consumers.</summary>
internal sealed record ConsoleDeadLetterTopic(string Topic, string Group, string DeadLetterTopic);

/// <summary>The body of a "replay selected": the dead letters' original positions.</summary>
internal sealed record ConsoleReplaySelection(IReadOnlyList<ConsoleSelectedRecord>? Records);

/// <summary>A dead letter picked by its original partition and offset.</summary>
internal sealed record ConsoleSelectedRecord(int Partition, long Offset);

/// <summary>The sum of a console replay (one or more replayer runs).</summary>
internal sealed record ConsoleReplayResult(bool DryRun, int Matched, int Replayed, int AlreadyReplayed, int Unreplayable, IReadOnlyList<ReplayedRecord> Records);

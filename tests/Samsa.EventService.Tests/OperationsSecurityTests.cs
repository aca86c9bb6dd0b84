using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Samsa.AspNetCore.Security;

namespace Samsa.EventService.Tests;

/// <summary>
/// The operational surface of a Production-configured EventService over real HTTP: who gets 401, 403 and 200 on the
/// console, lag, dead letters and replay, health details and metrics, and the anti-forgery check of a browser session.
/// </summary>
public sealed partial class OperationsSecurityTests(ProductionAppFixture fixture) : IClassFixture<ProductionAppFixture>
{
    public static TheoryData<string, string> OperationalCalls => new()
    {
        { "GET", "/console/" },
        { "GET", "/console/api/overview" },
        { "GET", "/console/api/consumers" },
        { "POST", "/console/api/dlq/events/replay?dryRun=true" },
        { "GET", "/dlq/events" },
        { "POST", "/dlq/events/replay?dryRun=true" },
        { "GET", "/pipeline" },
        { "GET", "/events/events/handled" },
        { "GET", "/metrics" },
    };

    [Theory]
    [MemberData(nameof(OperationalCalls))]
    public async Task Call_WithoutCredential_Is401(string method, string path)
    {
        using var client = fixture.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(OperationalCalls))]
    public async Task Call_WithWrongKey_Is401(string method, string path)
    {
        using var client = fixture.CreateClient(apiKey: "not-a-key-0123456789abcdef");

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/console/api/overview")]
    [InlineData("/console/api/consumers")]
    [InlineData("/console/api/producer")]
    [InlineData("/dlq/events")]
    [InlineData("/pipeline")]
    [InlineData("/metrics")]
    public async Task Read_WithReadKey_Is200(string path)
    {
        using var client = fixture.CreateClient(ProductionAppFixture.ReaderKey);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Replay_WithReadOnlyKey_Is403_AndWithReplayKeyRuns()
    {
        using var reader = fixture.CreateClient(ProductionAppFixture.ReaderKey);
        using var denied = await reader.PostAsync(new Uri("/dlq/events/replay?dryRun=true", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var operatorClient = fixture.CreateClient(ProductionAppFixture.OperatorKey);
        using var allowed = await operatorClient.PostAsync(new Uri("/dlq/events/replay?dryRun=true", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var result = await allowed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(result.GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public async Task ApiKey_InAuthorizationHeader_IsAccepted()
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/pipeline");
        request.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + ProductionAppFixture.ReaderKey);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/pipeline/fix")]
    [InlineData("/pipeline/break")]
    public async Task FailureSwitches_OutsideDevelopment_DoNotExist(string path)
    {
        using var client = fixture.CreateClient(ProductionAppFixture.OperatorKey);

        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), null, TestContext.Current.CancellationToken);

        // GET /pipeline exists, so routing answers 405 for a POST to a path it shares no template with: not 200.
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Anonymous_GetsStatusOnly_OperatorGetsChecks(string path)
    {
        using var anonymous = fixture.CreateClient();
        using var plain = await anonymous.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        var status = await plain.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("Healthy", status.GetProperty("status").GetString());
        Assert.Equal(["status"], status.EnumerateObject().Select(p => p.Name));

        using var reader = fixture.CreateClient(ProductionAppFixture.ReaderKey);
        var detailed = await reader.GetFromJsonAsync<JsonElement>(path, TestContext.Current.CancellationToken);
        Assert.Equal("Healthy", detailed.GetProperty("status").GetString());
        Assert.True(detailed.TryGetProperty("checks", out _));
    }

    [Fact]
    public async Task ReadyDetails_NeverShowTheApiKeys()
    {
        using var reader = fixture.CreateClient(ProductionAppFixture.ReaderKey);

        foreach (var path in new[] { "/health/ready", "/console/api/overview", "/console/api/session" })
        {
            var body = await reader.GetStringAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(ProductionAppFixture.ReaderKey, body, StringComparison.Ordinal);
            Assert.DoesNotContain(ProductionAppFixture.OperatorKey, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Console_SignInWithKey_ThenReplayNeedsTheAntiforgeryToken()
    {
        using var browser = fixture.CreateClient();
        using var page = await browser.GetAsync(new Uri("/console/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        var form = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var token = HiddenToken().Match(form);
        Assert.True(token.Success, form);

        using var wrong = await browser.PostAsync(new Uri("/console/login", UriKind.Relative), Form(token, "not-a-key-0123456789abcdef"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var withoutToken = await browser.PostAsync(
            new Uri("/console/login", UriKind.Relative), new FormUrlEncodedContent([new("apiKey", ProductionAppFixture.OperatorKey)]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);

        using var signedIn = await browser.PostAsync(new Uri("/console/login", UriKind.Relative), Form(token, ProductionAppFixture.OperatorKey), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        using var console = await browser.GetAsync(new Uri("/console/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, console.StatusCode);

        var session = await browser.GetFromJsonAsync<JsonElement>("/console/api/session", TestContext.Current.CancellationToken);
        Assert.Equal("operator", session.GetProperty("user").GetString());
        Assert.True(session.GetProperty("canReplay").GetBoolean());

        // The session cookie alone is not enough to change state: a forged cross-site POST carries no token.
        foreach (var path in new[] { "/console/api/dlq/events/replay?dryRun=true", "/dlq/events/replay?dryRun=true" })
        {
            using var forged = await browser.PostAsync(new Uri(path, UriKind.Relative), null, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

            using var request = new HttpRequestMessage(HttpMethod.Post, path);
            request.Headers.Add(session.GetProperty("antiforgeryHeader").GetString()!, session.GetProperty("antiforgeryToken").GetString());
            using var genuine = await browser.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        }
    }

    private static FormUrlEncodedContent Form(Match token, string apiKey) =>
        new([new(WebUtility.HtmlDecode(token.Groups["name"].Value), WebUtility.HtmlDecode(token.Groups["value"].Value)), new("apiKey", apiKey)]);

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]+)\">")]
    private static partial Regex HiddenToken();
}

/// <summary>The rules of <see cref="OperationsSecurityOptions"/>, checked at start-up.</summary>
public sealed class OperationsSecurityOptionsValidatorTests
{
    [Fact]
    public void Validate_ProductionWithoutKey_FailsNamingTheSettingToAdd()
    {
        var result = new OperationsSecurityOptionsValidator(new Environment(Environments.Production)).Validate(null, new OperationsSecurityOptions());

        Assert.True(result.Failed);
        var message = Assert.Single(result.Failures!);
        Assert.Contains("No operations credential is configured in the 'Production' environment", message, StringComparison.Ordinal);
        Assert.Contains("Operations:ApiKeys:<name>:Key", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DevelopmentWithoutKey_Succeeds() =>
        Assert.True(new OperationsSecurityOptionsValidator(new Environment(Environments.Development)).Validate(null, new OperationsSecurityOptions()).Succeeded);

    [Fact]
    public void Validate_ShortKeyAndUnknownScope_ListsBoth()
    {
        var options = new OperationsSecurityOptions();
        options.ApiKeys["ops"] = new OperationsApiKey { Key = "short", Scopes = ["read", "admin"] };

        var result = new OperationsSecurityOptionsValidator(new Environment(Environments.Production)).Validate(null, options);

        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("`Operations:ApiKeys:ops:Key` is 5 characters long", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("'admin', which is not a scope", StringComparison.Ordinal));
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
